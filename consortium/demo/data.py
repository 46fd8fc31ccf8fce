"""The Marseille demo: two LIFE proposals built in three workshops each (see README).

The organisations are fictional but typical of the territory's transition actors; the
workshop process follows the city's account (vision 2030, actions and needs, dossier and
cooperation framework; broad rounds first, then narrowed to the chosen partners).
Every PIC here is made up.
"""

from __future__ import annotations

# (key, name, acronym, type, country, city, pic, themes, keywords, staff, budget, eu_experience,
#  description, shared_with_partners, natural_person)
ORGANISATIONS = [
    ("vdm", "Ville de Marseille", "VDM", "public_authority", "FR", "Marseille", "900000011",
     ["circular_economy_waste", "nature_in_city", "climate_adaptation", "buildings",
      "social_inclusion", "education_awareness"], ["Marseille 2030", "contrat ville-climat"],
     12000, 1_600_000_000, "coordinator",
     "Commune de Marseille, ville lauréate de la mission européenne des 100 villes "
     "climatiquement neutres. La Mission Europe et la direction de la transition écologique "
     "animent les commissions thématiques du Contrat Ville-Climat et coordonnent les "
     "candidatures européennes du territoire.", True, False),
    ("amp", "Métropole Aix-Marseille-Provence", "AMP", "public_authority", "FR", "Marseille",
     "900000028", ["circular_economy_waste", "mobility_logistics", "water"],
     ["gestion des déchets", "plan local de prévention"], 7500, 3_000_000_000, "participant",
     "Établissement public compétent pour la collecte et le traitement des déchets, l'eau "
     "et l'assainissement, l'aménagement et les mobilités sur 92 communes.", True, False),
    ("rbs", "Réemploi Bâtiment Sud", "RBS", "ngo", "FR", "Marseille", "900000035",
     ["circular_economy_waste", "buildings", "social_inclusion"],
     ["réemploi", "BTP", "matériaux de construction", "diagnostic ressources", "chantier"],
     14, 820_000, "none",
     "Association locale de réemploi dans le BTP : collecte de matériaux sur les chantiers de "
     "déconstruction, diagnostics ressources, plateforme de revente et formation des artisans "
     "au réemploi.", True, False),
    ("cdt", "La Cité des transitions", "CDT", "ngo", "FR", "Marseille", None,
     ["education_awareness", "social_inclusion", "circular_economy_waste", "nature_in_city"],
     ["annuaire des acteurs", "agenda", "lieu mutualisé", "mise en réseau"], 6, 410_000, "none",
     "Association issue d'une étude de préfiguration de la Ville : elle référence les "
     "acteurs de la transition à Marseille, publie l'agenda de leurs événements et accueille "
     "une dizaine d'associations dans un espace de travail partagé.", True, False),
    ("lmeu", "Laboratoire Méditerranéen d'Écologie Urbaine", "LMEU", "research", "FR",
     "Marseille", "900000042",
     ["nature_in_city", "climate_adaptation", "nature_biodiversity", "research_innovation"],
     ["îlots de chaleur", "biodiversité urbaine", "suivi scientifique", "solutions fondées sur la nature"],
     65, 5_200_000, "participant",
     "Unité de recherche en écologie urbaine : mesure des îlots de chaleur, inventaires de "
     "biodiversité, évaluation des solutions fondées sur la nature en climat méditerranéen.",
     True, False),
    ("hps", "Habitat Provence Social", "HPS", "social_economy", "FR", "Marseille", "900000059",
     ["buildings", "social_inclusion", "climate_adaptation"],
     ["bailleur social", "réhabilitation", "logement social", "résidences"], 420, 140_000_000,
     "participant",
     "Bailleur social gérant 18 000 logements dans les quartiers nord et centre ; programme "
     "de réhabilitation thermique et de végétalisation des résidences.", True, False),
    ("mcp", "Matériaux Circulaires Provence", "MCP", "sme", "FR", "Aubagne", "900000066",
     ["circular_economy_waste", "buildings"],
     ["plateforme de matériaux", "réemploi", "logistique", "traçabilité"], 22, 2_400_000, "none",
     "PME qui exploite une plateforme de stockage et de revente de matériaux de réemploi "
     "(menuiseries, carrelage, sanitaires, structures métalliques) avec traçabilité numérique.",
     True, False),
    ("dsud", "Déconstruct'Sud SCOP", "DSUD", "social_economy", "FR", "Marseille", "900000073",
     ["circular_economy_waste", "buildings", "social_inclusion"],
     ["déconstruction sélective", "insertion", "curage", "désamiantage"], 48, 3_100_000, "none",
     "Coopérative d'insertion spécialisée dans la déconstruction sélective et le curage de "
     "bâtiments, qui forme des salariés en parcours d'insertion aux métiers du réemploi.",
     True, False),
    ("bbs", "Bureau d'études Bâti Sobre", "BBS", "sme", "FR", "Marseille", None,
     ["buildings", "energy", "circular_economy_waste"],
     ["ingénierie", "analyse de cycle de vie", "bas carbone", "diagnostic PEMD"], 11, 950_000,
     "none",
     "Bureau d'études en construction bas carbone : diagnostics produits-équipements-"
     "matériaux-déchets (PEMD), analyses de cycle de vie et prescription de matériaux de "
     "réemploi.", True, False),
    ("fbtp", "Fédération du BTP des Bouches-du-Rhône", "FBTP13", "other", "FR", "Marseille",
     "900000080", ["buildings", "circular_economy_waste", "education_awareness"],
     ["fédération professionnelle", "entreprises du bâtiment", "formation"], 25, 3_500_000,
     "none",
     "Organisation professionnelle représentant 1 800 entreprises du bâtiment et des travaux "
     "publics du département.", True, False),
    ("jpp", "Jardins Partagés du Panier", "JPP", "ngo", "FR", "Marseille", None,
     ["urban_agriculture_food", "nature_in_city", "social_inclusion"],
     ["jardins partagés", "compost", "habitants", "végétalisation"], 3, 95_000, "none",
     "Association d'habitants qui anime quatre jardins partagés et des permis de végétaliser "
     "dans le centre ancien.", True, False),
    ("tdq", "Terre de Quartiers", "TDQ", "ngo", "FR", "Marseille", "900000097",
     ["urban_agriculture_food", "nature_in_city", "education_awareness", "social_inclusion"],
     ["agriculture urbaine", "fermes de quartier", "éducation à l'environnement"], 17, 780_000,
     "participant",
     "Association d'agriculture urbaine : fermes pédagogiques dans les quartiers nord, "
     "ateliers scolaires, végétalisation participative des cours d'école.", True, False),
    ("pmc", "Paysages Méditerranéens Conseil", "PMC", "sme", "FR", "Marseille", "900000103",
     ["nature_in_city", "climate_adaptation", "water"],
     ["paysagistes", "désimperméabilisation", "plantations", "gestion des eaux pluviales"], 9,
     1_100_000, "none",
     "Agence de paysagistes concepteurs : cours d'école oasis, désimperméabilisation des "
     "places, palettes végétales adaptées à la sécheresse.", True, False),
    ("aam", "Les Amis des Arbres de Marseille", "AAM", "ngo", "FR", "Marseille", None,
     ["nature_in_city", "nature_biodiversity", "education_awareness"],
     ["arbres", "canopée", "plantation citoyenne", "sensibilisation"], 2, 60_000, "none",
     "Association citoyenne qui recense les arbres remarquables, organise des plantations "
     "avec les habitants et défend la canopée urbaine.", True, False),
    ("ccv", "Collectif Calanques Vivantes", "CCV", "ngo", "FR", "Marseille", "900000110",
     ["sea_coast", "nature_biodiversity", "education_awareness"],
     ["littoral", "biodiversité marine", "sciences participatives"], 8, 400_000, "participant",
     "Collectif d'associations naturalistes du littoral marseillais : sciences participatives, "
     "restauration de milieux dunaires et sensibilisation des usagers.", True, False),
    ("e2c", "École de la Deuxième Chance de Marseille", "E2C", "ngo", "FR", "Marseille",
     "900000127", ["social_inclusion", "education_awareness", "buildings"],
     ["formation", "jeunes", "insertion professionnelle"], 60, 4_300_000, "participant",
     "École qui accompagne chaque année 700 jeunes sans qualification vers l'emploi, avec des "
     "parcours métiers du bâtiment et des espaces verts.", True, False),
    ("rqnl", "Régie de Quartier Nord Littoral", "RQNL", "social_economy", "FR", "Marseille",
     "900000134", ["social_inclusion", "nature_in_city", "urban_agriculture_food"],
     ["entretien des espaces verts", "insertion", "habitants"], 35, 1_700_000, "none",
     "Régie de quartier qui emploie des habitants en insertion pour l'entretien des espaces "
     "verts et le petit bâtiment dans les cités du 15e et 16e arrondissement.", True, False),
    ("esp", "Eau et Sols Provence", "ESP", "research", "FR", "Aix-en-Provence", "900000141",
     ["water", "soil", "climate_adaptation"],
     ["eau pluviale", "sols vivants", "désimperméabilisation", "infiltration"], 30, 2_800_000,
     "participant",
     "Centre technique sur la gestion des eaux pluviales et la qualité des sols urbains : "
     "essais d'infiltration, suivi de l'humidité des sols, guides techniques.", True, False),
    ("caz", "Compost'Azur", "CAZ", "sme", "FR", "Marseille", None,
     ["circular_economy_waste", "urban_agriculture_food", "soil"],
     ["compostage", "biodéchets", "terreau"], 7, 520_000, "none",
     "Entreprise de collecte des biodéchets de restaurants et de compostage de quartier ; "
     "produit un terreau local pour les jardins.", True, False),
    ("iutd", "Institut Universitaire des Territoires Durables", "IUTD", "research", "FR",
     "Marseille", "900000158", ["research_innovation", "buildings", "circular_economy_waste",
                                "social_inclusion"],
     ["économie circulaire", "sociologie urbaine", "évaluation des politiques publiques"], 120,
     9_000_000, "coordinator",
     "Institut universitaire de recherche sur les transitions urbaines : économie circulaire du "
     "bâtiment, participation citoyenne, évaluation d'impact.", True, False),
    ("gpm", "Groupe Propreté Méditerranée", "GPM", "large_company", "FR", "Marseille",
     "900000165", ["circular_economy_waste"], ["collecte", "tri", "valorisation des déchets"],
     2300, 410_000_000, "participant",
     "Grand groupe de services à l'environnement : collecte, tri et valorisation des déchets du "
     "BTP et des ménages.", True, False),
    ("frb", "Fundació Reutilitza Barcelona", "FRB", "ngo", "ES", "Barcelona", "900000172",
     ["circular_economy_waste", "buildings", "social_inclusion"],
     ["reuse", "construction materials", "social enterprise"], 40, 2_200_000, "coordinator",
     "Barcelona foundation running a reuse centre for construction materials and training "
     "people far from employment; coordinated a LIFE project on reuse in construction.", True,
     False),
    ("cvug", "Cooperativa Verde Urbano Genova", "CVUG", "social_economy", "IT", "Genova",
     "900000189", ["nature_in_city", "climate_adaptation", "social_inclusion"],
     ["urban greening", "community gardens", "heat islands"], 28, 1_300_000, "participant",
     "Social cooperative in Genoa designing and maintaining green roofs, pocket parks and "
     "community gardens with residents.", True, False),
    ("atvv", "Association Tunis Ville Verte", "ATVV", "ngo", "TN", "Tunis", None,
     ["nature_in_city", "education_awareness"], ["végétalisation", "Méditerranée"], 5, 120_000,
     "none",
     "Association tunisienne de végétalisation urbaine, partenaire d'échanges avec Marseille "
     "sur les espèces adaptées au climat méditerranéen.", True, False),
    ("jdupont", "Jean Dupont, consultant en réemploi", None, "other", "FR", "Marseille", None,
     ["circular_economy_waste", "buildings"], ["réemploi", "conseil"], 1, 60_000, "none",
     "Consultant indépendant (personne physique) en réemploi des matériaux.", False, True),
]

CONTACTS = {
    "vdm": [("Camille Martin", "Cheffe de projet Europe", "c.martin@marseille.example", "+33 4 91 00 00 01")],
    "rbs": [("Nadia Benali", "Directrice", "nadia.benali@rbs.example", "+33 6 00 00 00 02")],
    "lmeu": [("Dr Sofia Rossi", "Chercheuse", "s.rossi@lmeu.example", None)],
    "hps": [("Marc Leroy", "Directeur du patrimoine", "m.leroy@hps.example", None)],
    "mcp": [("Julien Fabre", "Gérant", "julien@mcp.example", None)],
    "dsud": [("Fatima Haddad", "Co-gérante", "f.haddad@dsud.example", None)],
    "tdq": [("Lucie Moreau", "Coordinatrice", "lucie@tdq.example", None)],
    "pmc": [("Antoine Giraud", "Paysagiste associé", "a.giraud@pmc.example", None)],
    "esp": [("Élodie Nguyen", "Ingénieure", "e.nguyen@esp.example", None)],
}

# (key, programme, reference, title, year, role)
PAST_PROJECTS = {
    "vdm": [("LIFE", "LIFE18 CCA/FR/001150", "Villes méditerranéennes face à la chaleur", 2019,
             "partner"),
            ("Horizon Europe", "HE-101056789", "NetZeroCities pilot Marseille", 2023, "partner")],
    "amp": [("Interreg", "MED-2019-077", "Zero waste Mediterranean cities", 2020, "partner")],
    "lmeu": [("LIFE", "LIFE18 CCA/FR/001150", "Villes méditerranéennes face à la chaleur", 2019,
              "partner"),
             ("ANR", "ANR-21-CE03-0012", "Biodiversité des toitures végétalisées", 2021,
              "coordinator")],
    "hps": [("FEDER", "PA0012345", "Réhabilitation thermique de la résidence Les Lauriers", 2021,
             "coordinator")],
    "tdq": [("Erasmus+", "2022-1-FR01-KA210-ADU-000012345", "Urban farms for inclusion", 2022,
             "partner")],
    "ccv": [("LIFE", "LIFE20 NAT/FR/000456", "Restauration des dunes méditerranéennes", 2021,
             "partner")],
    "e2c": [("FSE+", "FSE-2022-13-0042", "Parcours bâtiment durable", 2022, "coordinator")],
    "esp": [("LIFE", "LIFE20 NAT/FR/000456", "Restauration des dunes méditerranéennes", 2021,
             "partner"),
            ("Interreg", "MED-2019-077", "Zero waste Mediterranean cities", 2020, "partner")],
    "iutd": [("Horizon Europe", "HE-101056789", "NetZeroCities pilot Marseille", 2023,
              "coordinator"),
             ("LIFE", "LIFE19 ENV/FR/000789", "Circular construction in southern Europe", 2020,
              "partner")],
    "gpm": [("Interreg", "MED-2019-077", "Zero waste Mediterranean cities", 2020, "partner")],
    "frb": [("LIFE", "LIFE19 ENV/FR/000789", "Circular construction in southern Europe", 2020,
             "coordinator")],
    "cvug": [("LIFE", "LIFE18 CCA/FR/001150", "Villes méditerranéennes face à la chaleur", 2019,
              "partner")],
}

# (a, b, kind, year, note)
TIES = [
    ("vdm", "amp", "formal_agreement", 2020, "Convention de coopération Ville–Métropole"),
    ("vdm", "cdt", "formal_agreement", 2022, "Étude de préfiguration puis subvention"),
    ("vdm", "lmeu", "past_project", 2019, "Projet chaleur urbaine"),
    ("vdm", "hps", "formal_agreement", 2021, "Convention quartiers prioritaires"),
    ("vdm", "tdq", "supplier_client", 2023, "Marché d'animation des cours d'école"),
    ("vdm", "e2c", "formal_agreement", 2022, None),
    ("cdt", "rbs", "same_network", 2023, "Hébergée à la Cité des transitions"),
    ("cdt", "jpp", "same_network", 2023, "Annuaire et agenda"),
    ("cdt", "tdq", "same_network", 2023, None),
    ("cdt", "caz", "same_network", 2024, None),
    ("cdt", "aam", "same_network", 2024, None),
    ("rbs", "mcp", "supplier_client", 2022, "Revente de matériaux collectés"),
    ("rbs", "dsud", "informal", 2021, "Chantiers communs de curage"),
    ("rbs", "bbs", "informal", 2023, "Diagnostics ressources"),
    ("dsud", "e2c", "formal_agreement", 2022, "Parcours d'insertion"),
    ("dsud", "fbtp", "same_network", 2020, None),
    ("mcp", "gpm", "supplier_client", 2021, "Tri des déchets de chantier"),
    ("bbs", "fbtp", "same_network", 2019, None),
    ("bbs", "iutd", "past_project", 2020, "Étude ACV réemploi"),
    ("hps", "dsud", "supplier_client", 2023, "Curage avant réhabilitation"),
    ("hps", "rqnl", "supplier_client", 2022, "Entretien des espaces verts"),
    ("jpp", "tdq", "informal", 2021, "Échanges de semences"),
    ("jpp", "caz", "supplier_client", 2022, "Compost de quartier"),
    ("tdq", "rqnl", "informal", 2022, None),
    ("tdq", "pmc", "past_project", 2023, "Cour d'école oasis"),
    ("pmc", "esp", "past_project", 2022, "Désimperméabilisation d'une place"),
    ("pmc", "lmeu", "informal", 2023, None),
    ("aam", "jpp", "informal", 2022, None),
    ("ccv", "lmeu", "past_project", 2021, None),
    ("iutd", "lmeu", "formal_agreement", 2018, "Accord-cadre de recherche"),
    ("frb", "rbs", "informal", 2024, "Visite d'étude à Barcelone"),
    ("cvug", "tdq", "informal", 2024, "Échange Erasmus+"),
    ("atvv", "aam", "informal", 2023, "Échanges d'espèces méditerranéennes"),
]

PROPOSALS = [
    {
        "key": "rebatir",
        "acronym": "REBATIR",
        "title": "Reuse and circular economy in Marseille's building sector",
        "topic": "LIFE-2026-SAP-ENV-ENVIRONMENT",
        "subtopics": ["Recovery of Resources from Waste", "Circular Economy and the Environment"],
        "territory": "Marseille, Aix-Marseille-Provence metropolitan area (FR)",
        "summary": "REBATIR makes the reuse of construction materials the norm on Marseille's "
                   "public and social-housing building sites by 2030: resource diagnostics "
                   "before every demolition, a shared reuse platform, trained local crews and "
                   "public procurement that asks for reused materials.",
        "working_language": "fr", "document_language": "en", "duration_months": 48,
    },
    {
        "key": "verdir",
        "acronym": "VERDIR",
        "title": "Greening Marseille with its citizens and local actors",
        "topic": "LIFE-2026-SAP-CLIMA-CCA",
        "subtopics": ["Urban adaptation and land-use planning",
                      "Nature-based solutions for adaptation"],
        "territory": "Marseille, northern and central districts (FR)",
        "summary": "VERDIR cools Marseille's hottest districts with nature-based solutions "
                   "designed and maintained with residents: de-sealed schoolyards and squares, "
                   "street trees, shared gardens and a citizens' greening network.",
        "working_language": "fr", "document_language": "en", "duration_months": 48,
    },
]

# Per proposal: workshops with attendance (org keys), people, and outputs.
# Output: (kind, subkind, text, raised_by, carried_by, tags, priority, votes)
WORKSHOPS = {
    "rebatir": [
        {
            "step": "vision", "title": "Atelier 1 — Vision 2030 du réemploi dans le BTP",
            "held_on": "2024-02-08", "place": "La Cité des transitions, Marseille",
            "facilitator": "Mission Europe, Ville de Marseille",
            "agenda": "Tour de table ; état des lieux du réemploi à Marseille ; "
                      "travail en sous-groupes sur la vision 2030 ; restitution.",
            "attendance": ["vdm", "amp", "rbs", "cdt", "mcp", "dsud", "bbs", "fbtp", "hps",
                           "iutd", "gpm", "e2c", "caz", "jdupont"],
            "people": [("Camille Martin", "vdm"), ("Nadia Benali", "rbs"),
                       ("Julien Fabre", "mcp"), ("Fatima Haddad", "dsud"),
                       ("Marc Leroy", "hps"), ("Paul Arnaud", "amp"), ("Inès Costa", "bbs"),
                       ("Karim Saïdi", "fbtp"), ("Claire Dumas", "iutd"),
                       ("Thomas Petit", "gpm"), ("Aïcha Diallo", "e2c"), ("Léa Roux", "cdt"),
                       ("Jean Dupont", "jdupont"), ("Hugo Blanc", "caz"),
                       ("Sarah Lopez", None), ("Yanis Ferhat", None)],
            "outputs": [
                ("vision", None, "En 2030, aucun bâtiment public marseillais n'est démoli sans "
                 "diagnostic ressources et plan de réemploi.", ["vdm", "rbs"], [], ["diagnostic"], 1, 14),
                ("vision", None, "Le réemploi des matériaux est un métier reconnu qui crée des "
                 "emplois locaux pour les personnes éloignées de l'emploi.", ["dsud", "e2c"], [],
                 ["emploi", "insertion"], 2, 11),
                ("vision", None, "Une plateforme métropolitaine rend les matériaux de réemploi "
                 "aussi faciles à acheter que des matériaux neufs.", ["mcp"], [], ["plateforme"], 3, 9),
                ("objective", None, "Réemployer 30 % des matériaux issus des chantiers publics de "
                 "déconstruction d'ici 2030.", ["vdm", "amp"], [], ["indicateur"], 1, 12),
                ("objective", None, "Réduire de 20 % les déchets du BTP mis en décharge sur la "
                 "métropole.", ["amp", "gpm"], [], ["déchets"], 2, 7),
                ("quote", None, "« On jette des portes en chêne massif parce que personne ne sait "
                 "où les stocker. »", ["rbs"], [], [], None, 0),
                ("risk", None, "Les assureurs refusent de couvrir les matériaux de réemploi.",
                 ["fbtp", "bbs"], [], ["assurance"], 1, 8),
            ],
        },
        {
            "step": "actions_needs", "title": "Atelier 2 — Actions concrètes et besoins",
            "held_on": "2024-03-21", "place": "Hôtel de Ville, Marseille",
            "facilitator": "Mission Europe, Ville de Marseille",
            "agenda": "Priorisation des actions ; besoins et ressources de chacun ; "
                      "premières esquisses des lots de travail.",
            "attendance": ["vdm", "amp", "rbs", "cdt", "mcp", "dsud", "bbs", "hps", "iutd",
                           "e2c", "fbtp"],
            "people": [("Camille Martin", "vdm"), ("Nadia Benali", "rbs"),
                       ("Julien Fabre", "mcp"), ("Fatima Haddad", "dsud"),
                       ("Marc Leroy", "hps"), ("Inès Costa", "bbs"), ("Claire Dumas", "iutd"),
                       ("Aïcha Diallo", "e2c"), ("Paul Arnaud", "amp"),
                       ("Karim Saïdi", "fbtp"), ("Léa Roux", "cdt")],
            "outputs": [
                ("action", None, "Réaliser des diagnostics ressources (PEMD) sur 40 bâtiments "
                 "publics et sociaux avant travaux.", ["bbs", "rbs"], ["bbs"], ["diagnostic"], 1, 13),
                ("action", None, "Créer une plateforme physique et numérique de réemploi à "
                 "l'échelle de la métropole.", ["mcp", "rbs"], ["mcp"], ["plateforme"], 1, 12),
                ("action", None, "Former 150 salariés et personnes en insertion à la "
                 "déconstruction sélective.", ["dsud", "e2c"], ["dsud"], ["formation"], 2, 10),
                ("action", None, "Intégrer des clauses de réemploi dans les marchés publics de "
                 "travaux de la Ville et du bailleur social.", ["vdm", "hps"], ["vdm"],
                 ["commande publique"], 2, 9),
                ("action", None, "Mesurer les tonnes réemployées, le carbone évité et les emplois "
                 "créés.", ["iutd"], ["iutd"], ["évaluation"], 3, 6),
                ("need", "site", "Un entrepôt de 2 000 m² pour stocker les matériaux collectés.",
                 ["mcp", "rbs"], [], ["logistique"], 1, 11),
                ("need", "skill", "Des compétences en analyse de cycle de vie des matériaux de "
                 "réemploi.", ["rbs"], ["iutd"], ["ACV"], 2, 5),
                ("need", "money", "Un financement du surcoût des diagnostics pendant les trois "
                 "premières années.", ["hps"], [], [], 2, 6),
                ("need", "data", "Une base de données partagée des gisements de matériaux par "
                 "chantier.", ["mcp", "amp"], ["amp"], ["données"], 2, 7),
                ("need", "permit", "Des règles techniques acceptées par les contrôleurs "
                 "techniques pour réemployer des éléments porteurs.", ["bbs", "fbtp"], [],
                 ["assurance"], 3, 4),
                ("resource", None, "La Ville met à disposition trois bâtiments à déconstruire "
                 "comme chantiers pilotes.", ["vdm"], ["vdm"], ["chantier pilote"], None, 0),
                ("resource", None, "Le bailleur social ouvre son programme de réhabilitation de "
                 "1 200 logements.", ["hps"], ["hps"], [], None, 0),
                ("risk", None, "Le volume de matériaux collectés dépasse la capacité de stockage "
                 "la première année.", ["mcp"], [], ["logistique"], 2, 3),
            ],
        },
        {
            "step": "dossier_framework",
            "title": "Atelier 3 — Constitution du dossier et cadre de coopération",
            "held_on": "2024-05-16", "place": "La Cité des transitions, Marseille",
            "facilitator": "Mission Europe, Ville de Marseille",
            "agenda": "Rôles dans le consortium ; budget ; règles de gouvernance ; calendrier "
                      "de rédaction.",
            "attendance": ["vdm", "rbs", "mcp", "dsud", "bbs", "hps", "iutd"],
            "people": [("Camille Martin", "vdm"), ("Nadia Benali", "rbs"),
                       ("Julien Fabre", "mcp"), ("Fatima Haddad", "dsud"),
                       ("Marc Leroy", "hps"), ("Inès Costa", "bbs"), ("Claire Dumas", "iutd")],
            "outputs": [
                ("cooperation_rule", "governance", "Un comité de pilotage réunit chaque "
                 "trimestre un représentant par bénéficiaire ; la Ville le préside.", ["vdm"], [],
                 [], 1, 7),
                ("cooperation_rule", "decision_making", "Les décisions se prennent au consensus, "
                 "à défaut à la majorité des deux tiers des bénéficiaires.", ["rbs", "dsud"], [],
                 [], 1, 6),
                ("cooperation_rule", "intellectual_property", "Les guides et outils produits "
                 "sont publiés sous licence libre.", ["iutd", "rbs"], [], ["licence"], 2, 5),
                ("cooperation_rule", "communication", "Chaque partenaire relaie les résultats "
                 "auprès de ses réseaux ; la Cité des transitions tient l'agenda commun.",
                 ["cdt"], [], [], 2, 4),
                ("cooperation_rule", "conflict_resolution", "Un désaccord persistant est porté "
                 "devant un médiateur choisi ensemble.", ["dsud"], [], [], 3, 3),
                ("risk", None, "Une petite association ne peut pas préfinancer sa part en "
                 "attendant les paiements européens.", ["rbs"], [], ["trésorerie"], 1, 6),
                ("quote", None, "« Ces ateliers nous ont fait travailler ensemble pour la "
                 "première fois. »", ["dsud"], [], [], None, 0),
            ],
        },
    ],
    "verdir": [
        {
            "step": "vision", "title": "Atelier 1 — Vision 2030 : une ville plus verte et "
                                        "plus fraîche",
            "held_on": "2024-02-15", "place": "Ferme pédagogique Terre de Quartiers, Marseille",
            "facilitator": "Mission Europe, Ville de Marseille",
            "agenda": "Cartographie des îlots de chaleur ; témoignages d'habitants ; vision "
                      "2030 en sous-groupes.",
            "attendance": ["vdm", "amp", "cdt", "lmeu", "hps", "jpp", "tdq", "pmc", "aam",
                           "ccv", "rqnl", "esp", "caz", "e2c", "cvug"],
            "people": [("Camille Martin", "vdm"), ("Dr Sofia Rossi", "lmeu"),
                       ("Lucie Moreau", "tdq"), ("Antoine Giraud", "pmc"),
                       ("Élodie Nguyen", "esp"), ("Marc Leroy", "hps"),
                       ("Bernard Olive", "aam"), ("Rachid Amrani", "rqnl"),
                       ("Mireille Paoli", "jpp"), ("Léa Roux", "cdt"),
                       ("Giulia Ferraro", "cvug"), ("Nina Kassab", None),
                       ("Pierre Vidal", None)],
            "outputs": [
                ("vision", None, "En 2030, chaque habitant vit à moins de cinq minutes à pied "
                 "d'un îlot de fraîcheur végétalisé.", ["vdm", "lmeu"], [], ["îlots de fraîcheur"], 1, 15),
                ("vision", None, "Les habitants plantent, entretiennent et s'approprient les "
                 "espaces verts de leur quartier.", ["jpp", "tdq", "aam"], [],
                 ["participation citoyenne"], 1, 13),
                ("vision", None, "Les cours d'école sont désimperméabilisées et ouvertes au "
                 "quartier hors temps scolaire.", ["pmc", "tdq"], [], ["écoles"], 2, 10),
                ("objective", None, "Baisser de 2 °C la température ressentie l'été dans les "
                 "quartiers les plus chauds.", ["lmeu"], [], ["indicateur"], 1, 12),
                ("objective", None, "Désimperméabiliser 10 hectares et planter 5 000 arbres "
                 "adaptés au climat méditerranéen.", ["vdm", "pmc", "aam"], [], ["canopée"], 1, 11),
                ("quote", None, "« L'été, dans ma cité, on ne sort plus avant 20 heures. »",
                 ["rqnl"], [], [], None, 0),
            ],
        },
        {
            "step": "actions_needs", "title": "Atelier 2 — Actions de végétalisation et besoins",
            "held_on": "2024-03-28", "place": "Hôtel de Ville, Marseille",
            "facilitator": "Mission Europe, Ville de Marseille",
            "agenda": "Choix des sites ; actions prioritaires ; besoins en compétences, "
                      "matériel et autorisations.",
            "attendance": ["vdm", "lmeu", "hps", "jpp", "tdq", "pmc", "aam", "rqnl", "esp",
                           "cdt", "caz"],
            "people": [("Camille Martin", "vdm"), ("Dr Sofia Rossi", "lmeu"),
                       ("Lucie Moreau", "tdq"), ("Antoine Giraud", "pmc"),
                       ("Élodie Nguyen", "esp"), ("Marc Leroy", "hps"),
                       ("Bernard Olive", "aam"), ("Rachid Amrani", "rqnl"),
                       ("Mireille Paoli", "jpp"), ("Léa Roux", "cdt"), ("Hugo Blanc", "caz")],
            "outputs": [
                ("action", None, "Transformer 12 cours d'école en cours oasis co-conçues avec "
                 "les élèves et les habitants.", ["pmc", "tdq"], ["pmc"], ["écoles"], 1, 14),
                ("action", None, "Désimperméabiliser et végétaliser trois places et les pieds "
                 "d'immeubles du bailleur social.", ["hps", "esp"], ["hps"],
                 ["désimperméabilisation"], 1, 12),
                ("action", None, "Créer un réseau de 300 habitants jardiniers formés à "
                 "l'entretien et au compostage.", ["jpp", "tdq", "caz"], ["tdq"],
                 ["participation citoyenne"], 2, 11),
                ("action", None, "Suivre températures, humidité des sols et biodiversité sur "
                 "tous les sites.", ["lmeu", "esp"], ["lmeu"], ["suivi"], 2, 8),
                ("action", None, "Recruter et former des habitants en insertion pour "
                 "l'entretien des espaces végétalisés.", ["rqnl"], ["rqnl"], ["insertion"], 3, 7),
                ("need", "skill", "Des compétences en gestion des eaux pluviales et en "
                 "infiltration.", ["pmc"], ["esp"], [], 1, 9),
                ("need", "equipment", "Des capteurs de température et d'humidité pour 20 sites.",
                 ["lmeu"], [], ["suivi"], 2, 6),
                ("need", "permit", "Des autorisations d'occupation pour végétaliser les "
                 "trottoirs.", ["aam", "jpp"], ["vdm"], [], 2, 5),
                ("need", "money", "Un budget d'entretien au-delà des cinq ans du projet.",
                 ["rqnl"], [], ["pérennité"], 1, 8),
                ("resource", None, "La Ville fournit les plants de ses pépinières municipales.",
                 ["vdm"], ["vdm"], [], None, 0),
                ("resource", None, "Le compost de quartier alimente les nouvelles plantations.",
                 ["caz"], ["caz"], [], None, 0),
                ("risk", None, "La sécheresse estivale fait mourir les jeunes plantations.",
                 ["aam", "pmc"], [], ["sécheresse"], 1, 9),
            ],
        },
        {
            "step": "dossier_framework",
            "title": "Atelier 3 — Dossier et cadre de coopération",
            "held_on": "2024-05-23", "place": "La Cité des transitions, Marseille",
            "facilitator": "Mission Europe, Ville de Marseille",
            "agenda": "Partenaires retenus ; répartition du budget ; gouvernance ; "
                      "engagements.",
            "attendance": ["vdm", "lmeu", "hps", "tdq", "pmc", "rqnl", "esp"],
            "people": [("Camille Martin", "vdm"), ("Dr Sofia Rossi", "lmeu"),
                       ("Lucie Moreau", "tdq"), ("Antoine Giraud", "pmc"),
                       ("Élodie Nguyen", "esp"), ("Marc Leroy", "hps"),
                       ("Rachid Amrani", "rqnl")],
            "outputs": [
                ("cooperation_rule", "governance", "Un comité de quartier par site associe les "
                 "habitants aux décisions d'aménagement.", ["tdq", "vdm"], [], [], 1, 8),
                ("cooperation_rule", "decision_making", "Le comité de pilotage décide au "
                 "consensus ; la Ville tranche en dernier recours sur l'espace public.", ["vdm"],
                 [], [], 1, 6),
                ("cooperation_rule", "communication", "Une page commune et une fête annuelle "
                 "des jardins présentent l'avancement.", ["tdq"], [], [], 2, 4),
                ("risk", None, "Les habitants se désengagent après la première année.",
                 ["tdq", "jpp"], [], ["participation citoyenne"], 1, 7),
                ("risk", None, "Un conflit d'usage entre école et quartier sur les cours "
                 "ouvertes.", ["pmc"], [], [], 2, 4),
            ],
        },
    ],
}

# Actions (future work packages): (code, title, objective, lead, participants, start, end,
#  deliverables, source output texts (prefix match))
ACTIONS = {
    "rebatir": [
        ("A1", "Resource diagnostics before works",
         "Carry out pre-demolition resource audits on 40 public and social-housing buildings.",
         "bbs", ["rbs", "hps", "vdm"], 1, 36, "40 resource audits; audit method guide",
         ["Réaliser des diagnostics ressources"]),
        ("A2", "Metropolitan reuse platform",
         "Open a physical and digital platform to store, trace and sell reused materials.",
         "mcp", ["rbs", "amp"], 3, 48, "2,000 m² warehouse in operation; online catalogue",
         ["Créer une plateforme physique", "Un entrepôt de 2 000", "Une base de données partagée"]),
        ("A3", "Skills for selective deconstruction",
         "Train 150 workers and people in integration pathways in selective deconstruction.",
         "dsud", ["e2c", "rbs"], 6, 42, "Training curriculum; 150 people trained",
         ["Former 150 salariés"]),
        ("A4", "Reuse in public procurement",
         "Write reuse clauses into the works contracts of the city and the social landlord.",
         "vdm", ["hps", "bbs"], 1, 24, "Model clauses; 10 tenders with reuse requirements",
         ["Intégrer des clauses de réemploi"]),
        ("A5", "Impact monitoring and replication",
         "Measure tonnes reused, carbon avoided and jobs created; prepare replication.",
         "iutd", ["vdm", "mcp"], 1, 48, "Monitoring reports; replication guide",
         ["Mesurer les tonnes", "Des compétences en analyse"]),
    ],
    "verdir": [
        ("A1", "Oasis schoolyards",
         "Turn 12 schoolyards into cool, green oasis yards co-designed with pupils and residents.",
         "pmc", ["tdq", "vdm", "esp"], 1, 40, "12 schoolyards de-sealed; co-design toolkit",
         ["Transformer 12 cours"]),
        ("A2", "De-sealed squares and social-housing grounds",
         "De-seal and green three squares and the grounds of social-housing estates.",
         "hps", ["esp", "pmc", "rqnl"], 6, 44, "3 squares and 5 estates greened",
         ["Désimperméabiliser et végétaliser", "Des compétences en gestion des eaux"]),
        ("A3", "Citizen gardeners' network",
         "Build a network of 300 trained resident gardeners for care and composting.",
         "tdq", ["jpp", "caz", "aam"], 1, 48, "300 resident gardeners trained; network charter",
         ["Créer un réseau de 300"]),
        ("A4", "Climate and biodiversity monitoring",
         "Monitor temperature, soil moisture and biodiversity on every site.",
         "lmeu", ["esp"], 1, 48, "Monitoring protocol; yearly cooling reports",
         ["Suivre températures", "Des capteurs"]),
        ("A5", "Green jobs for residents", "Recruit and train residents in integration "
         "pathways to maintain the new green spaces.", "rqnl", ["hps"], 12, 48,
         "20 green jobs; maintenance plan beyond the project", ["Recruter et former"]),
    ],
}

# Milestones of the actions, as typed in the action form (one "M<month>: <label>" per line).
MILESTONES = {
    "rebatir": {
        "A1": "M6: Audit method agreed\nM24: 20 buildings audited\nM36: 40 buildings audited",
        "A2": "M12: Warehouse open\nM30: Online catalogue live",
        "A3": "M9: Curriculum validated\nM42: 150 people trained",
        "A4": "M12: Model clauses adopted",
        "A5": "M18: Baseline report\nM46: Replication guide",
    },
    "verdir": {
        "A1": "M8: First four yards co-designed\nM40: 12 yards opened",
        "A2": "M20: Works on three squares start",
        "A3": "M12: 100 gardeners trained\nM36: Network charter signed",
        "A4": "M3: Sensors installed",
        "A5": "M18: First 10 residents hired",
    },
}

# Participations: (org, role, status, personnel, subcontracting, travel, equipment, other goods,
#  other, own cofinancing, contact)
PARTICIPATIONS = {
    "rebatir": [
        ("vdm", "coordinator", "confirmed", 420000, 60000, 15000, 0, 80000, 0, 238000,
         ("Camille Martin", "Cheffe de projet Europe", "c.martin@marseille.example")),
        ("rbs", "beneficiary", "invited", 210000, 0, 8000, 25000, 30000, 0, 113000,
         ("Nadia Benali", "Directrice", "nadia.benali@rbs.example")),
        ("mcp", "beneficiary", "confirmed", 180000, 40000, 6000, 150000, 90000, 0, 190000,
         ("Julien Fabre", "Gérant", "julien@mcp.example")),
        ("dsud", "beneficiary", "confirmed", 240000, 0, 5000, 35000, 20000, 0, 122000,
         ("Fatima Haddad", "Co-gérante", "f.haddad@dsud.example")),
        ("bbs", "beneficiary", "shortlisted", 150000, 0, 4000, 0, 10000, 0, 66000, None),
        ("hps", "beneficiary", "confirmed", 90000, 0, 3000, 0, 40000, 0, 55000,
         ("Marc Leroy", "Directeur du patrimoine", "m.leroy@hps.example")),
        ("iutd", "beneficiary", "invited", 160000, 0, 12000, 5000, 8000, 0, 78000, None),
        ("amp", "associated_partner", "confirmed", 0, 0, 0, 0, 0, 0, 0, None),
        ("e2c", "associated_partner", "shortlisted", 0, 0, 0, 0, 0, 0, 0, None),
        ("frb", "beneficiary", "candidate", 0, 0, 0, 0, 0, 0, 0, None),
    ],
    "verdir": [
        ("vdm", "coordinator", "confirmed", 380000, 120000, 12000, 0, 350000, 0, 345000,
         ("Camille Martin", "Cheffe de projet Europe", "c.martin@marseille.example")),
        ("pmc", "beneficiary", "confirmed", 220000, 0, 6000, 0, 15000, 0, 96000,
         ("Antoine Giraud", "Paysagiste associé", "a.giraud@pmc.example")),
        ("tdq", "beneficiary", "invited", 190000, 0, 9000, 12000, 25000, 0, 97000,
         ("Lucie Moreau", "Coordinatrice", "lucie@tdq.example")),
        ("lmeu", "beneficiary", "confirmed", 230000, 0, 15000, 60000, 10000, 0, 129000,
         ("Dr Sofia Rossi", "Chercheuse", "s.rossi@lmeu.example")),
        ("hps", "beneficiary", "shortlisted", 80000, 150000, 2000, 0, 200000, 0, 180000, None),
        ("esp", "beneficiary", "invited", 120000, 0, 5000, 20000, 5000, 0, 60000,
         ("Élodie Nguyen", "Ingénieure", "e.nguyen@esp.example")),
        ("rqnl", "beneficiary", "shortlisted", 140000, 0, 2000, 15000, 10000, 0, 67000, None),
        ("jpp", "associated_partner", "confirmed", 0, 0, 0, 0, 0, 0, 0, None),
        ("aam", "associated_partner", "invited", 0, 0, 0, 0, 0, 0, 0, None),
        ("cvug", "beneficiary", "candidate", 0, 0, 0, 0, 0, 0, 0, None),
    ],
}

# Person-months per (proposal, org, action code)
EFFORTS = {
    "rebatir": {"vdm": {"A4": 24, "A1": 6, "A5": 6}, "rbs": {"A1": 18, "A2": 12, "A3": 8},
                "mcp": {"A2": 30, "A5": 4}, "dsud": {"A3": 36}, "bbs": {"A1": 26, "A4": 4},
                "hps": {"A1": 6, "A4": 8}, "iutd": {"A5": 28}},
    "verdir": {"vdm": {"A1": 18, "A2": 6}, "pmc": {"A1": 30, "A2": 8},
               "tdq": {"A1": 10, "A3": 30}, "lmeu": {"A4": 40}, "hps": {"A2": 12, "A5": 4},
               "esp": {"A2": 16, "A4": 8}, "rqnl": {"A5": 30, "A2": 6}},
}

# Demo accounts: (email, name, admin, roles {proposal key: (role, org key or None)})
ACCOUNTS = [
    ("admin@example.org", "Alex Admin", True, {}),
    ("lead@example.org", "Camille Martin", False,
     {"rebatir": ("lead", None), "verdir": ("lead", None)}),
    ("writer@example.org", "Hugo Bernard", False,
     {"rebatir": ("writer", None), "verdir": ("writer", None)}),
    ("partner@example.org", "Nadia Benali", False, {"rebatir": ("partner", "rbs")}),
    ("viewer@example.org", "Vera Viewer", False,
     {"rebatir": ("viewer", None), "verdir": ("viewer", None)}),
]
