"""A live workshop: participants play households from their phones (``python run.py workshop``).

- :mod:`sim.workshop.room`: the room: its code, the facilitator's token, who plays which household,
  the month's choices and countdown, and the two runs (with the people's choices, and the same seed
  without them);
- :mod:`sim.workshop.words`: what a household knows and what happened to it, in plain words;
- :mod:`sim.workshop.record`: the research record, written as the session happens (Parquet);
- :mod:`sim.workshop.replay`: the record fed back to the model without the app;
- :mod:`sim.workshop.app`: the pages (join, play, facilitator), served by :mod:`sim.workshop.serve`.

The model's side is :mod:`sim.mechanisms.human_choices`: a person's choice replaces the model's rule
for their household only.
"""
