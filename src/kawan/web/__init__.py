"""Server-rendered pages (Jinja2): the public check page. Templates and static files are
package data under `templates/` and `static/`."""
