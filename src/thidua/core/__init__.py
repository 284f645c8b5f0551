"""The pure rules of thidua: plain data in, plain data out, no Django import.

Everything here can be unit- and property-tested without a database, and is what
`thidua verify` relies on to recompute results from an exported record.
"""
