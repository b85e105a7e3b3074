"""Flask-WTF forms, one module per area; they parse input and leave rules to plain modules."""
