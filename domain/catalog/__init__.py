"""The catalogue: what Portside sells (listings) and when (slots with limited seats)."""
