"""Pure transforms over batches: crosswalks into the record model, normalisers, checks."""
