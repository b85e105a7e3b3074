"""What each letter did and how the network grows, in figures that identify nobody."""
