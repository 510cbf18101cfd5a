"""One module per part of the playground page; each draws from the state and changes it through callbacks."""
