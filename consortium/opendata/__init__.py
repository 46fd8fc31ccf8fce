"""Open data of EU-funded projects (CORDIS, LIFE): import, matching to the directory, search."""
