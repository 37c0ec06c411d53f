"""The demo's annotations: gold files, simulated annotators and the loader that writes them."""
