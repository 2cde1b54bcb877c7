"""Item models (``QAbstractTableModel``): tested without windows."""
