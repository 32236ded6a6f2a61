"""The ACD: a pure queue engine (events in, actions out) shared by calls and tickets."""
