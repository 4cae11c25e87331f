// Synthetic models.
