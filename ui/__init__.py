"""The Gradio chat UI: ``python -m ui [--folder DIR] [--host H] [--port P]``."""
