"""The app starts and serves its home page on a migrated database."""


def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"<html" in response.data
