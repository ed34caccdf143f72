"""Experiments: a scenario run many times across arms, with statistics per arm and between arms."""
