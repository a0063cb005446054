"""The browser app: explore a community, compare two policies side by side, export slides (``python run.py viz``).

One concept per module:

- ``app``: the Solara page (controls, pictures, panels); ``server``: serving it offline;
- ``session``: what the buttons do, in plain Python (presets, settings, models, events, side by side);
- ``presets``: the scenario files offered; ``explain``, ``prose``: the plain-language text;
- ``layout``: where households sit in the picture (seeded, once per network);
- ``colours``: what the colours of households mean; ``network_view``, ``raster``: drawing the community;
- ``plots``: outcomes over time and the difference between two policies; ``figures``: both as PNG images;
- ``export``: the current view as a slide; ``browser``: a real browser for the tests and the benchmark.
"""
