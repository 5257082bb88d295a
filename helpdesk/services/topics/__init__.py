"""Topics customers write about: discovered from tickets (TF-IDF + NMF), named and curated by admins,
assigned to each new ticket at ingest. `text` makes the words, `model` fits and predicts, `refit`
stores a fit and carries the admins' choices across it, `assign` labels new tickets, `curation`
holds the admins' actions."""
