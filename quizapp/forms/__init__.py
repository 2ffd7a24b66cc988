"""WTForms forms (Flask-WTF adds CSRF protection), one module per area."""
