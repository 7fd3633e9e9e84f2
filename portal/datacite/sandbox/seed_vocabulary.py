"""Word lists and identifiers the seeder draws from (ROR IDs and names as they appear in DataCite facets)."""

from __future__ import annotations

ADJECTIVES = (
    "Annual", "Coastal", "Comparative", "Long-term", "Regional", "Experimental", "Global", "Historical", "Seasonal",
    "Longitudinal", "Spatial", "Preliminary", "Revised", "Integrated", "Open", "Baseline",
)
NOUNS = (
    "survey", "measurements", "observations", "corpus", "simulations", "recordings", "samples", "interviews",
    "census", "inventory", "catalogue", "time series", "field notes", "images", "transcripts", "models", "maps",
)
TOPICS = (
    "glacier mass balance", "soil moisture", "bird migration", "river discharge", "urban heat", "sea ice", "coral reefs",
    "wheat yields", "air quality", "dialect variation", "protein folding", "galaxy clusters", "medieval charters",
    "groundwater", "pollinators", "permafrost", "wind energy", "forest cover", "tidal flats", "volcanic ash",
)
KEYWORDS = (
    "Anatomy", "Climate", "Glaciology", "Oceanography", "Genomics", "Linguistics", "Astronomy", "Hydrology",
    "Soil science", "Materials", "Ecology", "History", "Epidemiology", "Geophysics", "Agriculture",
)
FIELDS_OF_SCIENCE = (
    "Clinical medicine", "Mathematics", "Physical sciences", "Computer and information sciences",
    "Biological sciences", "Earth and related environmental sciences", "Chemical sciences", "Psychology", "Law",
    "History and archaeology", "Languages and literature", "Agricultural biotechnology",
)
AFFILIATIONS = (
    ("ror.org/0542q3127", "Lviv Polytechnic National University"), ("ror.org/01ynf4891", "University of Milano-Bicocca"),
    ("ror.org/03r8z3t63", "UNSW Sydney"), ("ror.org/043z4tv69", "National Institute of Allergy and Infectious Diseases"),
    ("ror.org/013m0ej23", "Perimeter Institute"), ("ror.org/01ggx4157", "European Organization for Nuclear Research"),
    ("ror.org/05bnh6r87", "Cornell University"), ("ror.org/035a68863", "United States Geological Survey"),
    ("ror.org/04ttjf776", "RMIT University"), ("ror.org/04wxnsj81", "DataCite"), ("ror.org/04z8jg394", "Silly Walks Publishing"),
    ("ror.org/05a28rw58", "ETH Zurich"),
)
PUBLISHERS = (
    ("DataCite", "ror.org/04wxnsj81"), ("Zenodo", "ror.org/01ggx4157"), ("ETH Zurich", "ror.org/05a28rw58"),
    ("Cornell University Library", "ror.org/05bnh6r87"), ("U.S. Geological Survey", "ror.org/035a68863"),
    ("RMIT University", "ror.org/04ttjf776"),
)
PEOPLE = (
    ("Ada", "Lovelace", "0000-0002-1825-0097"), ("Martin", "Fenner", "0000-0003-1419-2405"),
    ("Joan", "Starr", "0000-0002-7285-027X"), ("Elizabeth", "Miller", "0000-0001-5000-0007"),
    ("Lars Holm", "Nielsen", "0000-0001-8135-3489"), ("Barbara", "Hirschmann", "0000-0003-0289-0345"),
    ("Frauke", "Ziedorn", "0000-0002-1143-781X"), ("Amina", "Diallo", "0000-0001-6520-4012"),
    ("Kenji", "Watanabe", "0000-0002-3311-8820"), ("Sofia", "Rossi", "0000-0003-4408-1163"),
    ("Mateus", "Silva", "0000-0002-9146-5522"), ("Ingrid", "Larsen", "0000-0001-7302-6654"),
)
LICENCES = ("cc-by-4.0", "cc-by-4.0", "cc0-1.0", "cc0-1.0", "mit", "cc-by-nc-4.0", "cc-by-sa-4.0", "apache-2.0", None, None)
