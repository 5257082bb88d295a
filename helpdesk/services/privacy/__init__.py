"""Privacy: consent per customer and purpose (`consent`), a customer's data as one archive
(`export`), irreversible anonymisation (`erasure`, `scrub`), retention of closed tickets
(`retention`) and the files on disk that no row names (`orphans`)."""
