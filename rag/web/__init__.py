"""Helpers for the Streamlit face (`app.py`): what the page shows, made safe to show."""
