"""PDF documents (reportlab) and their QR codes, with no Flask in them: views pass in what they need."""
