"""govwatch: compliance monitor for Chinese government websites (政府网站)."""

__version__ = "0.1.0"
