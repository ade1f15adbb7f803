"""Trygg's algorithms in the Processing Toolbox."""
