"""thidua: runs Vietnamese emulation clusters (cụm thi đua) end to end."""

__version__ = "0.1.0"
