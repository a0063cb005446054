"""The model's mechanisms, one module each, in the order the step runs them (see ``sim.model.PHASES``)."""
