"""The invocations_ws wire protocol: typed messages both ways, encoded and parsed in one place."""
