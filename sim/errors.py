"""The one exception type for a user's mistake.

Anything a user can get wrong (a scenario file, a command-line value, a
network file) raises :class:`UserError` with one sentence that names where the
bad value came from, the key, and what would be accepted. The command line
prints that sentence without a traceback; programming errors still raise
ordinary exceptions with their tracebacks.
"""


class UserError(Exception):
    """A mistake in the user's input, explained in one sentence."""
