"""k2connect_ext: the hand-written layer over the generated K2 Connect client (exports are filled in below)."""
