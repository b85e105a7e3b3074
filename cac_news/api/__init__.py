"""The REST API's domain side: tokens, cursors, representations and the API's writes.

Plain functions over the models and the audience/content packages; the HTTP layer is
cac_news.web.api.
"""
