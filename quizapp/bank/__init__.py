"""Question-bank files <-> database: validation, YAML/XLSX/GIFT read and write, versioned import."""
