"""Stages 3 and 4: indexes of the checked content, each edition's copy of it, its
interface text, and every generated page rendered from templates/."""
