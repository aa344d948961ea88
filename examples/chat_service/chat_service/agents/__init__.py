"""The agent that answers chat messages, and the tools it can call."""
