"""What a good learner writes in each scenario (natural French, as a student would).

The test plays the opening, the discovery, the proposal, then answers whatever the
client raises (objections in any order, the change of parameters) until it can close.
"""

from __future__ import annotations

SCRIPTS = {
    "cvc-ehpad": {
        "opening": [
            "Bonjour Monsieur Benali",
            "Je suis Camille Roux, chargée d'affaires chez Climatherm Services, merci de me recevoir.",
            "Je vous propose de faire d'abord le point sur votre chaufferie et vos attentes, puis je vous présenterai une solution. Nous avons bien trois quarts d'heure ?",
        ],
        "discovery": [
            "Comment se passe le chauffage de l'établissement aujourd'hui ?",
            "Quels problèmes avez-vous rencontrés l'hiver dernier ?",
            "Qu'attendez-vous concrètement de la nouvelle installation ?",
            "Quel budget avez-vous prévu pour ce projet ?",
            "Comment se passe la décision chez vous, qui valide un investissement de ce montant ?",
            "Quel calendrier envisagez-vous pour les travaux ?",
        ],
        "reformulate": "Si je résume : des pannes l'hiver dernier, l'objectif de sortir du fioul avec une installation fiable, des travaux hors saison de chauffe, une enveloppe votée et une décision qui passe par le comité du groupe. C'est bien cela ?",
        "solution": "Je vous propose deux pompes à chaleur PAC-HT65 haute température, avec la chaudière gaz CHG-150 en relève pour les grands froids, le module ECS et l'installation complète avec mise en service.",
        "price": "Pour cette année, l'ensemble revient à 98 215 euros HT après remise, installation comprise, la seconde PAC en tranche 2 l'an prochain, avec la maintenance P2 à 4 200 euros par an.",
        "answers": {
            "pac_grand_froid": "Justement, par -10 °C la chaudière gaz prend le relais automatiquement : vos résidents ne risquent rien.",
            "saison_chauffe": "Nous ferons les travaux hors saison, de juin à septembre, en gardant votre chaudière actuelle jusqu'à la bascule.",
            "taille_entreprise": "Nous sommes certifiés QualiPAC et RGE, avec une astreinte 24 h/24, et la garantie constructeur vous couvre quoi qu'il arrive.",
            "depassement_enveloppe": "Pour rester dans votre enveloppe, on peut phaser : cette année, les deux PAC et la relève gaz avec l'installation, soit 119 305 euros HT après remise, et le reste en seconde tranche l'an prochain, prime CEE en plus.",
            "chaudiere_fioul_concurrente": "Sur dix ans, le coût global de la chaudière fioul est bien plus élevé : facture de fioul, décret tertiaire à respecter, vous repayez deux fois.",
            "passage_groupe": "Je vous prépare un dossier complet pour le comité du 15, avec la note technique et la synthèse financière.",
        },
        "change": "Entendu, avec 110 000 euros je vous propose de phaser : une seule PAC, la relève gaz, le module ECS et la supervision cette année, soit 98 215 euros HT après remise, la seconde PAC l'an prochain.",
        "close": "On planifie le démarrage des travaux la première ou la deuxième semaine de juin ?",
    },
    "info-cabinet": {
        "opening": [
            "Bonjour Madame Fontaine",
            "Je suis Thomas Petit, commercial chez Numéris Pro, merci de me recevoir aujourd'hui.",
            "Je vous propose de commencer par vos besoins, puis je vous présenterai une offre, nous avons une demi-heure, ça vous convient ?",
        ],
        "discovery": [
            "Comment travaillent vos collaborateurs aujourd'hui, notamment en télétravail ?",
            "Quelles sont vos exigences en matière de sécurité des données de vos clients ?",
            "À quel moment le déploiement serait-il possible pour vous ?",
            "Quel budget avez-vous prévu pour ce renouvellement ?",
            "Qui prendra la décision finale pour ce projet ?",
        ],
        "reformulate": "Si je comprends bien, vous avez besoin de mobilité pour le télétravail avec un double écran, la sécurité des données est prioritaire, le déploiement doit se faire hors période fiscale, avec un budget défini et une décision des associés. C'est bien ça ?",
        "solution": "Je vous recommande 35 portables NP-14i5 avec une station d'accueil USB-C et un écran 24 pouces par poste, plus le déploiement et la migration des données.",
        "price": "Le pack revient à 1 553 euros HT par poste, soit 54 355 euros pour les 35 postes, ou environ 1 690 euros par mois en location.",
        "answers": {
            "vol_portable": "Tous les portables sont chiffrés avec BitLocker et la puce TPM, et l'EDR permet de les verrouiller à distance : un portable volé est illisible.",
            "prestataire_tout": "Nous travaillerons avec votre prestataire : nous assurons la masterisation, le déploiement et la garantie sur site J+1, il garde la supervision.",
            "pas_de_janvier_a_mai": "Aucun souci, nous planifions le déploiement site par site en juillet et août, livraison en 4 semaines.",
            "prix_internet": "Sur internet vous n'avez ni la garantie sur site, ni la masterisation, ni la migration des données : en coût global, notre offre revient moins cher.",
            "location_plus_chere": "La location préserve votre trésorerie pour la reprise du confrère, le coût par poste est fixe sur 36 mois, garantie sur site comprise, et le parc est renouvelé au bout de 36 mois.",
            "parler_associes": "Je vous prépare un dossier de synthèse avec une version achat et une version location pour la réunion des associés du 2 juin.",
            "_budget": "En gardant vos écrans 22 pouces de 2019, le pack revient à 48 272 euros HT, ou 1 496 euros HT par mois en location.",
        },
        "change": "Très bien, je recalcule pour 43 postes avec les 8 portables supplémentaires, et la remise s'applique sur l'ensemble.",
        "close": "On part sur la version location avec une livraison début juillet, je vous prépare le bon de commande ?",
    },
    "agri-cuma": {
        "opening": [
            "Bonjour Monsieur Pasquier",
            "Julien Moreau, technico-commercial chez Agri-Équipements du Val, merci de me recevoir.",
            "Je vous propose de faire le point sur vos besoins, puis de vous présenter une solution, vous avez une demi-heure à m'accorder ?",
        ],
        "discovery": [
            "Dans quel état est votre pulvérisateur actuel, quels problèmes rencontrez-vous ?",
            "De quoi avez-vous besoin en termes de débit de chantier et de capacité de cuve ?",
            "Quand souhaitez-vous être livré pour la prochaine campagne ?",
            "Avez-vous des contraintes réglementaires pour vos traitements, près des habitations ou de la rivière ?",
            "Quel budget la CUMA a-t-elle prévu pour cet investissement ?",
            "Comment se passe la décision chez vous, c'est le conseil qui vote ?",
            "Comment comptez-vous financer cet achat ?",
        ],
        "reformulate": "Si je résume : votre pulvé est usé et tombe en panne, vous avez besoin de plus de débit avec une plus grosse cuve, une livraison avant le printemps, un budget voté et une décision du conseil. C'est bien ça ?",
        "solution": "Je vous propose le pulvérisateur 4 000 litres avec rampe alu de 30 mètres, équipé de la coupure de tronçons GPS et du kit de buses anti-dérive.",
        "price": "L'ensemble revient à 78 350 euros HT, soit 71 350 euros HT une fois votre ancien pulvérisateur repris.",
        "answers": {
            "gps_gadget": "La coupure de tronçons évite les recouvrements : vous économisez 5 à 10 % d'intrants, c'est amorti en deux campagnes.",
            "livraison_avril": "Si vous commandez avant le 15 décembre, vous êtes livrés en mars, à temps pour les traitements de printemps.",
            "sav_distance": "Avec le contrat d'entretien, on vous prête un matériel si la panne dure plus de 48 h, et notre technicien se déplace avec le camion atelier.",
            "concurrent_64000": "Comparons sur la même base : leur offre a la reprise déduite et une cuve plus petite, pas de rampe alu de 30 mètres ; à équipement équivalent l'écart est minime.",
            "attendre_an_prochain": "Pour la trésorerie, notre partenaire finance sur 7 ans avec une première échéance après la moisson.",
            "vote_conseil": "Je peux venir présenter le dossier au conseil du 12 décembre, avec le calcul des annuités.",
            "_budget": "Pour tenir votre budget, le 3 200 litres avec le GPS et les buses anti-dérive revient à 47 900 euros HT net, reprise déduite.",
        },
        "change": "Je comprends, pour rester sous 65 000 euros je vous propose le pulvérisateur 3 200 litres avec la reprise, soit environ 47 900 euros HT net, et le financement du partenaire sur 7 ans.",
        "close": "On prépare le bon de commande pour une livraison en mars ?",
    },
    "air-plasturgie": {
        "opening": [
            "Bonjour Monsieur Garnier",
            "Je suis Léa Martin, technico-commerciale chez AirTech Industrie, merci de me recevoir.",
            "Je vous propose de faire le point sur votre production d'air comprimé puis de vous présenter une solution, nous avons une demi-heure, cela vous convient ?",
        ],
        "discovery": [
            "Comment se passe aujourd'hui la production d'air comprimé dans l'atelier ?",
            "Quels problèmes avez-vous eus avec ce compresseur ?",
            "Qu'attendez-vous d'une nouvelle installation ?",
            "Quel budget ou quel critère de retour sur investissement devez-vous respecter ?",
            "Qui d'autre participe à la décision pour un investissement comme celui-ci ?",
            "Quand pourriez-vous arrêter la production pour l'installation ?",
        ],
        "reformulate": "Si je résume : des pannes et des fuites, un besoin d'air fiable et d'une facture d'énergie en baisse, un ROI de moins de 3 ans pour le DAF, une décision du directeur de site et une installation possible seulement en août. C'est bien cela ?",
        "solution": "Je vous recommande le compresseur à vis VSD-45 à vitesse variable, avec le sécheur frigorifique et la filtration, installation et mise en service comprises.",
        "price": "L'ensemble revient à 39 150 euros HT, installation comprise.",
        "answers": {
            "vieux_tourne_encore": "Une heure d'arrêt vous coûte environ 3 500 euros, et la panne de 14 heures l'a montré : garder le vieux, c'est le coût de l'inaction.",
            "fenetre_aout": "Nous planifions l'installation en août : si vous commandez avant le 19 juin, le délai de 6 semaines est tenu, avec un compresseur de secours en location.",
            "surcout_vsd": "Justement, l'écart est remboursé en 8 mois grâce aux économies d'énergie, environ 1 100 euros par mois : le retour sur investissement est bien sous les 3 ans.",
            "remise_concurrent": "À périmètre comparable, leur offre n'a ni sécheur ni audit : en coût global vous êtes gagnant avec nous, et si vous commandez avant fin juin l'audit fuites est offert.",
            "paiement_90_jours": "90 jours, la loi nous l'interdit : le Code de commerce plafonne à 45 jours fin de mois ; en revanche je vous propose un acompte réduit.",
            "panel_achats": "Je vous transmets le dossier de référencement : Kbis, attestations URSSAF, assurance et nos références clients en plasturgie.",
        },
        "change": "Bien sûr, je vous remets une offre détaillée sur un périmètre comparable avec le calcul du coût global, pour que vous puissiez comparer les 3 devis.",
        "close": "On planifie l'installation la première ou la deuxième semaine d'août ?",
    },
}

FOLLOW_UP = [
    "Je vous envoie le devis récapitulatif ce soir et je vous rappelle jeudi pour caler la suite.",
    "Merci beaucoup pour votre confiance, bonne fin de journée.",
]

POOR = [
    "Salut ! J'ai un super produit à vous vendre.",
    "Avec notre machine vous allez gagner un temps fou et faire des économies, c'est garanti.",
    "C'est 10 000 euros, c'est pas cher.",
    "Les concurrents c'est vraiment de la camelote, faut pas les écouter.",
    "Bon, vous signez ?",
    "Allez, on signe maintenant ?",
    "Je vous prépare le bon de commande ?",
    "Alors vous signez ou pas ?",
]
