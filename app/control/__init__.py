"""The /_kizuna control plane: what the real platform does through phones and the OA Manager."""
