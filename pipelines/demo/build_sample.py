"""Generate the bundled demo records (`data/demo_records.jsonl`), deterministically.

Every record is synthetic: titles, descriptions, names and publishers are written for
this project from the phrase tables below, then combined with a seeded `random.Random`.
Field values are deliberately messy (language codes, licence strings, date formats,
identifier shapes, stray HTML) the way real repositories are, because the later
pipeline stages exist to normalise exactly that.

Regenerate with:  python -m pipelines.demo.build_sample
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20191125  # the day UNESCO adopted the Recommendation on OER
RECORD_COUNT = 360
DELETED_COUNT = 8
OAI_PREFIX = "oai:demo.oer-pipeline.local:"
RESOURCE_URL = "https://demo.oer-pipeline.local/resources/"
DATA_FILE = Path(__file__).parent / "data" / "demo_records.jsonl"
FIRST_DATESTAMP = datetime(2019, 1, 1, tzinfo=UTC)
LAST_DATESTAMP = datetime(2026, 11, 15, tzinfo=UTC)

LANGS = ("en", "es", "fr", "de", "pt", "ar", "zh", "ru", "sw", "hi")
LANG_WEIGHTS = (30, 14, 12, 8, 9, 6, 6, 5, 5, 5)


@dataclass(frozen=True)
class Topic:
    key: str
    sdg: int | None
    area: str | None  # one of the Recommendation's five action areas
    discipline: str
    keywords: tuple[str, ...]  # English subject keywords
    titles: dict[str, str]


def _titles(*values: str) -> dict[str, str]:
    return dict(zip(LANGS, values, strict=True))


TOPICS: tuple[Topic, ...] = (
    Topic(
        "inclusive-education",
        4,
        None,
        "education",
        ("quality education", "inclusive education", "teacher training"),
        _titles(
            "Foundations of Quality and Inclusive Education",
            "Fundamentos de una educación inclusiva y de calidad",
            "Fondements d'une éducation inclusive et de qualité",
            "Grundlagen einer inklusiven und hochwertigen Bildung",
            "Fundamentos de uma educação inclusiva e de qualidade",
            "أسس التعليم الجيد والشامل",
            "优质全纳教育基础",
            "Основы качественного и инклюзивного образования",
            "Misingi ya elimu bora na jumuishi",
            "गुणवत्तापूर्ण और समावेशी शिक्षा की नींव",
        ),
    ),
    Topic(
        "gender-equality",
        5,
        None,
        "social",
        ("gender equality", "girls' education", "gender-responsive pedagogy"),
        _titles(
            "Gender Equality in the Classroom",
            "Igualdad de género en el aula",
            "L'égalité des genres en classe",
            "Geschlechtergerechtigkeit im Klassenzimmer",
            "Igualdade de gênero na sala de aula",
            "المساواة بين الجنسين في الفصل الدراسي",
            "课堂中的性别平等",
            "Гендерное равенство в классе",
            "Usawa wa kijinsia darasani",
            "कक्षा में लैंगिक समानता",
        ),
    ),
    Topic(
        "climate-action",
        13,
        None,
        "environment",
        ("climate change", "climate action", "adaptation", "mitigation"),
        _titles(
            "Understanding Climate Change and Climate Action",
            "Comprender el cambio climático y la acción por el clima",
            "Comprendre le changement climatique et l'action pour le climat",
            "Klimawandel verstehen und Klimaschutz gestalten",
            "Compreender as mudanças climáticas e a ação climática",
            "فهم تغير المناخ والعمل المناخي",
            "认识气候变化与气候行动",
            "Изменение климата и меры по борьбе с ним",
            "Kuelewa mabadiliko ya tabianchi na hatua za kukabiliana nayo",
            "जलवायु परिवर्तन और जलवायु कार्रवाई को समझना",
        ),
    ),
    Topic(
        "clean-water",
        6,
        None,
        "environment",
        ("clean water", "sanitation", "hygiene", "WASH"),
        _titles(
            "Clean Water and Sanitation for Rural Communities",
            "Agua limpia y saneamiento para comunidades rurales",
            "Eau potable et assainissement pour les communautés rurales",
            "Sauberes Wasser und Sanitärversorgung für ländliche Gemeinden",
            "Água potável e saneamento para comunidades rurais",
            "المياه النظيفة والصرف الصحي للمجتمعات الريفية",
            "农村社区的清洁饮水与卫生设施",
            "Чистая вода и санитария для сельских общин",
            "Maji safi na usafi wa mazingira kwa jamii za vijijini",
            "ग्रामीण समुदायों के लिए स्वच्छ जल और स्वच्छता",
        ),
    ),
    Topic(
        "community-health",
        3,
        None,
        "health",
        ("public health", "hygiene", "health education"),
        _titles(
            "Community Health and Hygiene Basics",
            "Nociones básicas de salud comunitaria e higiene",
            "Notions de base en santé communautaire et hygiène",
            "Grundlagen der Gemeindegesundheit und Hygiene",
            "Noções básicas de saúde comunitária e higiene",
            "أساسيات الصحة المجتمعية والنظافة",
            "社区卫生与个人卫生基础",
            "Основы общественного здоровья и гигиены",
            "Misingi ya afya ya jamii na usafi",
            "सामुदायिक स्वास्थ्य और स्वच्छता की मूल बातें",
        ),
    ),
    Topic(
        "poverty",
        1,
        None,
        "economics",
        ("poverty", "poverty measurement", "social protection"),
        _titles(
            "Measuring and Reducing Poverty",
            "Medir y reducir la pobreza",
            "Mesurer et réduire la pauvreté",
            "Armut messen und verringern",
            "Medir e reduzir a pobreza",
            "قياس الفقر والحد منه",
            "贫困的衡量与减贫",
            "Измерение и сокращение бедности",
            "Kupima na kupunguza umaskini",
            "गरीबी का मापन और उसमें कमी",
        ),
    ),
    Topic(
        "decent-work",
        8,
        None,
        "economics",
        ("decent work", "youth employment", "labour rights"),
        _titles(
            "Decent Work and Youth Employment",
            "Trabajo decente y empleo juvenil",
            "Travail décent et emploi des jeunes",
            "Menschenwürdige Arbeit und Jugendbeschäftigung",
            "Trabalho decente e emprego jovem",
            "العمل اللائق وتشغيل الشباب",
            "体面劳动与青年就业",
            "Достойный труд и занятость молодёжи",
            "Kazi yenye staha na ajira kwa vijana",
            "सभ्य कार्य और युवा रोज़गार",
        ),
    ),
    Topic(
        "reduced-inequalities",
        10,
        None,
        "social",
        ("inequality", "social inclusion", "migration"),
        _titles(
            "Reducing Inequalities Within and Among Countries",
            "Reducir la desigualdad en los países y entre ellos",
            "Réduire les inégalités dans les pays et d'un pays à l'autre",
            "Ungleichheit in und zwischen Ländern verringern",
            "Reduzir as desigualdades dentro dos países e entre eles",
            "الحد من أوجه عدم المساواة داخل البلدان وفيما بينها",
            "减少国家内部和国家之间的不平等",
            "Сокращение неравенства внутри стран и между ними",
            "Kupunguza ukosefu wa usawa ndani ya nchi na kati ya nchi",
            "देशों के भीतर और उनके बीच असमानता को कम करना",
        ),
    ),
    Topic(
        "media-literacy",
        16,
        None,
        "information",
        ("access to information", "media and information literacy", "misinformation"),
        _titles(
            "Access to Information and Media Literacy",
            "Acceso a la información y alfabetización mediática",
            "Accès à l'information et éducation aux médias",
            "Zugang zu Informationen und Medienkompetenz",
            "Acesso à informação e literacia mediática",
            "الوصول إلى المعلومات والدراية الإعلامية",
            "信息获取与媒体素养",
            "Доступ к информации и медиаграмотность",
            "Upatikanaji wa taarifa na ujuzi wa vyombo vya habari",
            "सूचना तक पहुँच और मीडिया साक्षरता",
        ),
    ),
    Topic(
        "peace-education",
        16,
        None,
        "social",
        ("peace education", "human rights", "justice"),
        _titles(
            "Peace Education and Human Rights",
            "Educación para la paz y derechos humanos",
            "Éducation à la paix et droits humains",
            "Friedenserziehung und Menschenrechte",
            "Educação para a paz e direitos humanos",
            "التربية على السلام وحقوق الإنسان",
            "和平教育与人权",
            "Воспитание культуры мира и права человека",
            "Elimu ya amani na haki za binadamu",
            "शांति शिक्षा और मानवाधिकार",
        ),
    ),
    Topic(
        "partnerships",
        17,
        None,
        "social",
        ("partnerships", "sustainable development goals", "development cooperation"),
        _titles(
            "Partnerships for the Sustainable Development Goals",
            "Alianzas para los Objetivos de Desarrollo Sostenible",
            "Partenariats pour les objectifs de développement durable",
            "Partnerschaften für die Ziele für nachhaltige Entwicklung",
            "Parcerias para os Objetivos de Desenvolvimento Sustentável",
            "الشراكات من أجل أهداف التنمية المستدامة",
            "促进可持续发展目标的伙伴关系",
            "Партнёрства в интересах целей устойчивого развития",
            "Ushirikiano kwa ajili ya Malengo ya Maendeleo Endelevu",
            "सतत विकास लक्ष्यों के लिए साझेदारी",
        ),
    ),
    Topic(
        "innovation",
        9,
        None,
        "engineering",
        ("innovation", "industry", "infrastructure", "entrepreneurship"),
        _titles(
            "Innovation, Industry and Sustainable Infrastructure",
            "Innovación, industria e infraestructura sostenible",
            "Innovation, industrie et infrastructures durables",
            "Innovation, Industrie und nachhaltige Infrastruktur",
            "Inovação, indústria e infraestrutura sustentável",
            "الابتكار والصناعة والبنية التحتية المستدامة",
            "创新、工业与可持续基础设施",
            "Инновации, промышленность и устойчивая инфраструктура",
            "Ubunifu, viwanda na miundombinu endelevu",
            "नवाचार, उद्योग और सतत बुनियादी ढाँचा",
        ),
    ),
    Topic(
        "renewable-energy",
        7,
        None,
        "physics",
        ("renewable energy", "solar power", "energy access"),
        _titles(
            "Introduction to Renewable Energy",
            "Introducción a las energías renovables",
            "Introduction aux énergies renouvelables",
            "Einführung in erneuerbare Energien",
            "Introdução às energias renováveis",
            "مقدمة في الطاقة المتجددة",
            "可再生能源导论",
            "Введение в возобновляемую энергетику",
            "Utangulizi wa nishati jadidifu",
            "नवीकरणीय ऊर्जा का परिचय",
        ),
    ),
    Topic(
        "food-security",
        2,
        None,
        "agriculture",
        ("sustainable agriculture", "food security", "nutrition"),
        _titles(
            "Sustainable Agriculture and Food Security",
            "Agricultura sostenible y seguridad alimentaria",
            "Agriculture durable et sécurité alimentaire",
            "Nachhaltige Landwirtschaft und Ernährungssicherheit",
            "Agricultura sustentável e segurança alimentar",
            "الزراعة المستدامة والأمن الغذائي",
            "可持续农业与粮食安全",
            "Устойчивое сельское хозяйство и продовольственная безопасность",
            "Kilimo endelevu na uhakika wa chakula",
            "सतत कृषि और खाद्य सुरक्षा",
        ),
    ),
    Topic(
        "ocean-literacy",
        14,
        None,
        "environment",
        ("ocean literacy", "marine ecosystems", "coastal management"),
        _titles(
            "Ocean Literacy for Coastal Schools",
            "Cultura oceánica para escuelas costeras",
            "Éducation à l'océan pour les écoles côtières",
            "Meereskunde für Schulen an der Küste",
            "Literacia do oceano para escolas costeiras",
            "الثقافة المحيطية لمدارس المناطق الساحلية",
            "面向沿海学校的海洋素养",
            "Океанская грамотность для прибрежных школ",
            "Elimu ya bahari kwa shule za pwani",
            "तटीय विद्यालयों के लिए महासागर साक्षरता",
        ),
    ),
    Topic(
        "biodiversity",
        15,
        None,
        "biology",
        ("biodiversity", "forests", "conservation"),
        _titles(
            "Forests and Biodiversity Conservation",
            "Bosques y conservación de la biodiversidad",
            "Forêts et conservation de la biodiversité",
            "Wälder und der Schutz der biologischen Vielfalt",
            "Florestas e conservação da biodiversidade",
            "الغابات وصون التنوع البيولوجي",
            "森林与生物多样性保护",
            "Леса и сохранение биоразнообразия",
            "Misitu na uhifadhi wa bioanuwai",
            "वन और जैव विविधता संरक्षण",
        ),
    ),
    Topic(
        "sustainable-cities",
        11,
        None,
        "social",
        ("sustainable cities", "urban planning", "public transport"),
        _titles(
            "Sustainable Cities and Communities",
            "Ciudades y comunidades sostenibles",
            "Villes et communautés durables",
            "Nachhaltige Städte und Gemeinden",
            "Cidades e comunidades sustentáveis",
            "مدن ومجتمعات محلية مستدامة",
            "可持续城市和社区",
            "Устойчивые города и населённые пункты",
            "Miji na jamii endelevu",
            "संवहनीय शहर और समुदाय",
        ),
    ),
    Topic(
        "circular-economy",
        12,
        None,
        "economics",
        ("responsible consumption", "circular economy", "recycling"),
        _titles(
            "Responsible Consumption and the Circular Economy",
            "Consumo responsable y economía circular",
            "Consommation responsable et économie circulaire",
            "Verantwortungsvoller Konsum und Kreislaufwirtschaft",
            "Consumo responsável e economia circular",
            "الاستهلاك المسؤول والاقتصاد الدائري",
            "负责任消费与循环经济",
            "Ответственное потребление и экономика замкнутого цикла",
            "Matumizi ya kuwajibika na uchumi rejeshi",
            "ज़िम्मेदार उपभोग और चक्रीय अर्थव्यवस्था",
        ),
    ),
    Topic(
        "creating-oer",
        4,
        "capacity-building",
        "education",
        ("open educational resources", "OER", "content creation", "remix"),
        _titles(
            "Creating and Adapting Open Educational Resources",
            "Crear y adaptar recursos educativos abiertos",
            "Créer et adapter des ressources éducatives libres",
            "Offene Bildungsmaterialien erstellen und anpassen",
            "Criar e adaptar recursos educacionais abertos",
            "إنشاء الموارد التعليمية المفتوحة وتكييفها",
            "开放教育资源的创建与改编",
            "Создание и адаптация открытых образовательных ресурсов",
            "Kuunda na kurekebisha rasilimali huria za elimu",
            "मुक्त शैक्षिक संसाधनों का निर्माण और अनुकूलन",
        ),
    ),
    Topic(
        "reusing-oer",
        4,
        "capacity-building",
        "information",
        ("open licensing", "Creative Commons", "OER", "reuse"),
        _titles(
            "Finding and Reusing Openly Licensed Materials",
            "Buscar y reutilizar materiales con licencia abierta",
            "Trouver et réutiliser des contenus sous licence libre",
            "Offen lizenzierte Materialien finden und wiederverwenden",
            "Encontrar e reutilizar materiais com licença aberta",
            "البحث عن المواد ذات التراخيص المفتوحة وإعادة استخدامها",
            "查找和重用开放许可资源",
            "Поиск и повторное использование материалов под открытыми лицензиями",
            "Kutafuta na kutumia tena nyenzo zenye leseni huria",
            "खुले लाइसेंस वाली सामग्री खोजना और उसका पुनः उपयोग",
        ),
    ),
    Topic(
        "institutional-policy",
        None,
        "policy",
        "education",
        ("OER policy", "higher education", "institutional strategy"),
        _titles(
            "Developing an Institutional OER Policy",
            "Cómo elaborar una política institucional de REA",
            "Élaborer une politique institutionnelle en matière de REL",
            "Eine institutionelle OER-Strategie entwickeln",
            "Como elaborar uma política institucional de REA",
            "وضع سياسة مؤسسية للموارد التعليمية المفتوحة",
            "制定机构开放教育资源政策",
            "Разработка институциональной политики в области ООР",
            "Kuandaa sera ya taasisi kuhusu rasilimali huria za elimu",
            "संस्थागत मुक्त शैक्षिक संसाधन नीति का विकास",
        ),
    ),
    Topic(
        "national-policy",
        4,
        "policy",
        "education",
        ("open education policy", "ministries of education", "public funding"),
        _titles(
            "National Open Education Policy Guidelines",
            "Directrices para una política nacional de educación abierta",
            "Lignes directrices pour une politique nationale d'éducation ouverte",
            "Leitlinien für eine nationale Politik zur offenen Bildung",
            "Diretrizes para uma política nacional de educação aberta",
            "مبادئ توجيهية لسياسة وطنية للتعليم المفتوح",
            "国家开放教育政策指南",
            "Рекомендации по национальной политике в области открытого образования",
            "Miongozo ya sera ya kitaifa ya elimu huria",
            "राष्ट्रीय मुक्त शिक्षा नीति के दिशानिर्देश",
        ),
    ),
    Topic(
        "accessibility",
        10,
        "inclusive-access",
        "education",
        ("accessibility", "disability", "universal design for learning", "WCAG"),
        _titles(
            "Accessible Digital Learning for Learners with Disabilities",
            "Aprendizaje digital accesible para estudiantes con discapacidad",
            "Apprentissage numérique accessible aux apprenants en situation de handicap",
            "Barrierefreies digitales Lernen für Lernende mit Behinderungen",
            "Aprendizagem digital acessível para estudantes com deficiência",
            "التعلم الرقمي الميسر للمتعلمين ذوي الإعاقة",
            "面向残障学习者的无障碍数字学习",
            "Доступное цифровое обучение для учащихся с инвалидностью",
            "Ujifunzaji wa kidijitali unaofikika kwa wanafunzi wenye ulemavu",
            "दिव्यांग शिक्षार्थियों के लिए सुलभ डिजिटल अधिगम",
        ),
    ),
    Topic(
        "mother-tongue",
        4,
        "inclusive-access",
        "education",
        ("multilingual education", "mother tongue", "indigenous languages"),
        _titles(
            "Teaching and Learning in Mother Tongue Languages",
            "Enseñar y aprender en lenguas maternas",
            "Enseigner et apprendre dans les langues maternelles",
            "Lehren und Lernen in der Muttersprache",
            "Ensinar e aprender em línguas maternas",
            "التعليم والتعلم باللغات الأم",
            "母语教学与学习",
            "Обучение на родных языках",
            "Kufundisha na kujifunza kwa lugha mama",
            "मातृभाषा में शिक्षण और अधिगम",
        ),
    ),
    Topic(
        "sustainability-models",
        None,
        "sustainability",
        "information",
        ("sustainability models", "repositories", "open infrastructure", "funding"),
        _titles(
            "Sustainability Models for OER Repositories",
            "Modelos de sostenibilidad para repositorios de REA",
            "Modèles de durabilité pour les référentiels de REL",
            "Nachhaltigkeitsmodelle für OER-Repositorien",
            "Modelos de sustentabilidade para repositórios de REA",
            "نماذج الاستدامة لمستودعات الموارد التعليمية المفتوحة",
            "开放教育资源库的可持续发展模式",
            "Модели устойчивого развития репозиториев ООР",
            "Mifumo endelevu ya hazina za rasilimali huria za elimu",
            "मुक्त शैक्षिक संसाधन भंडारों के लिए स्थिरता मॉडल",
        ),
    ),
    Topic(
        "international-cooperation",
        17,
        "international-cooperation",
        "education",
        ("international cooperation", "open education", "South-South cooperation"),
        _titles(
            "International Cooperation in Open Education",
            "Cooperación internacional en educación abierta",
            "Coopération internationale dans l'éducation ouverte",
            "Internationale Zusammenarbeit in der offenen Bildung",
            "Cooperação internacional em educação aberta",
            "التعاون الدولي في مجال التعليم المفتوح",
            "开放教育领域的国际合作",
            "Международное сотрудничество в сфере открытого образования",
            "Ushirikiano wa kimataifa katika elimu huria",
            "मुक्त शिक्षा में अंतरराष्ट्रीय सहयोग",
        ),
    ),
    Topic(
        "algebra",
        None,
        None,
        "mathematics",
        ("algebra", "equations", "secondary mathematics"),
        _titles(
            "Algebra for Secondary School",
            "Álgebra para educación secundaria",
            "Algèbre pour l'enseignement secondaire",
            "Algebra für die Sekundarstufe",
            "Álgebra para o ensino médio",
            "الجبر للمرحلة الثانوية",
            "中学代数",
            "Алгебра для средней школы",
            "Aljebra kwa shule za sekondari",
            "माध्यमिक विद्यालय के लिए बीजगणित",
        ),
    ),
    Topic(
        "statistics",
        None,
        None,
        "mathematics",
        ("statistics", "probability", "data literacy"),
        _titles(
            "Introduction to Statistics and Probability",
            "Introducción a la estadística y la probabilidad",
            "Introduction aux statistiques et aux probabilités",
            "Einführung in Statistik und Wahrscheinlichkeitsrechnung",
            "Introdução à estatística e à probabilidade",
            "مقدمة في الإحصاء والاحتمالات",
            "统计与概率导论",
            "Введение в статистику и теорию вероятностей",
            "Utangulizi wa takwimu na uwezekano",
            "सांख्यिकी और प्रायिकता का परिचय",
        ),
    ),
    Topic(
        "cell-biology",
        None,
        None,
        "biology",
        ("cell biology", "genetics", "life sciences"),
        _titles(
            "Cell Biology and Genetics",
            "Biología celular y genética",
            "Biologie cellulaire et génétique",
            "Zellbiologie und Genetik",
            "Biologia celular e genética",
            "علم الأحياء الخلوي وعلم الوراثة",
            "细胞生物学与遗传学",
            "Клеточная биология и генетика",
            "Biolojia ya seli na jenetiki",
            "कोशिका जीवविज्ञान और आनुवंशिकी",
        ),
    ),
    Topic(
        "world-history",
        None,
        None,
        "history",
        ("world history", "twentieth century", "decolonisation"),
        _titles(
            "World History of the Twentieth Century",
            "Historia universal del siglo XX",
            "Histoire du monde au XXe siècle",
            "Weltgeschichte des 20. Jahrhunderts",
            "História mundial do século XX",
            "تاريخ العالم في القرن العشرين",
            "二十世纪世界史",
            "Всемирная история XX века",
            "Historia ya dunia katika karne ya ishirini",
            "बीसवीं सदी का विश्व इतिहास",
        ),
    ),
    Topic(
        "programming",
        None,
        None,
        "computing",
        ("programming", "Python", "computational thinking"),
        _titles(
            "Introduction to Programming with Python",
            "Introducción a la programación con Python",
            "Introduction à la programmation avec Python",
            "Einführung in die Programmierung mit Python",
            "Introdução à programação com Python",
            "مقدمة في البرمجة بلغة بايثون",
            "Python 编程入门",
            "Введение в программирование на Python",
            "Utangulizi wa programu kwa kutumia Python",
            "पायथन के साथ प्रोग्रामिंग का परिचय",
        ),
    ),
    Topic(
        "physics",
        None,
        None,
        "physics",
        ("physics", "mechanics", "forces and motion"),
        _titles(
            "Introductory Physics: Forces and Motion",
            "Física introductoria: fuerzas y movimiento",
            "Initiation à la physique : forces et mouvement",
            "Einführung in die Physik: Kräfte und Bewegung",
            "Física introdutória: forças e movimento",
            "مبادئ الفيزياء: القوى والحركة",
            "物理入门：力与运动",
            "Введение в физику: силы и движение",
            "Fizikia ya awali: nguvu na mwendo",
            "भौतिकी का परिचय: बल और गति",
        ),
    ),
    Topic(
        "chemistry",
        None,
        None,
        "chemistry",
        ("chemistry", "laboratory safety", "chemical reactions"),
        _titles(
            "General Chemistry with Laboratory Activities",
            "Química general con actividades de laboratorio",
            "Chimie générale avec activités de laboratoire",
            "Allgemeine Chemie mit Laborübungen",
            "Química geral com atividades de laboratório",
            "الكيمياء العامة مع أنشطة مخبرية",
            "普通化学及实验活动",
            "Общая химия с лабораторными работами",
            "Kemia ya jumla pamoja na shughuli za maabara",
            "प्रयोगशाला गतिविधियों के साथ सामान्य रसायन विज्ञान",
        ),
    ),
    Topic(
        "early-literacy",
        4,
        None,
        "education",
        ("literacy", "early grade reading", "primary education"),
        _titles(
            "Early Grade Reading and Literacy",
            "Lectura y alfabetización en los primeros grados",
            "Lecture et alphabétisation dans les premières années du primaire",
            "Lesen und Schreiben lernen in der Grundschule",
            "Leitura e alfabetização nos anos iniciais",
            "القراءة والكتابة في الصفوف الأولى",
            "低年级阅读与读写能力",
            "Обучение чтению и письму в начальных классах",
            "Kusoma na kuandika katika madarasa ya awali",
            "प्रारंभिक कक्षाओं में पठन और साक्षरता",
        ),
    ),
)


@dataclass(frozen=True)
class ResourceType:
    key: str
    dc_types: tuple[str, ...]  # the shapes repositories put in dc:type
    formats: tuple[str, ...]
    labels: dict[str, str]


RESOURCE_TYPES: tuple[ResourceType, ...] = (
    ResourceType(
        "textbook",
        ("Text", "Textbook", "info:eu-repo/semantics/book", "text", "Book"),
        ("application/pdf", "application/epub+zip", "PDF"),
        _titles(
            "Textbook",
            "Libro de texto",
            "Manuel",
            "Lehrbuch",
            "Livro didático",
            "كتاب مدرسي",
            "教科书",
            "Учебник",
            "Kitabu cha kiada",
            "पाठ्यपुस्तक",
        ),
    ),
    ResourceType(
        "course",
        ("Course", "InteractiveResource", "Online course"),
        ("text/html", "application/zip"),
        _titles(
            "Online course",
            "Curso en línea",
            "Cours en ligne",
            "Online-Kurs",
            "Curso online",
            "دورة عبر الإنترنت",
            "在线课程",
            "Онлайн-курс",
            "Kozi ya mtandaoni",
            "ऑनलाइन पाठ्यक्रम",
        ),
    ),
    ResourceType(
        "lecture-video",
        ("MovingImage", "Video", "video", "Lecture"),
        ("video/mp4", "video/webm", "MP4"),
        _titles(
            "Lecture video",
            "Videoclase",
            "Vidéo de cours",
            "Vorlesungsvideo",
            "Videoaula",
            "محاضرة مصورة",
            "讲座视频",
            "Видеолекция",
            "Video ya mhadhara",
            "व्याख्यान वीडियो",
        ),
    ),
    ResourceType(
        "lesson-plan",
        ("Lesson plan", "Text", "Lesson Plan", "learning object"),
        (
            "application/pdf",
            "text/html",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        _titles(
            "Lesson plan",
            "Plan de clase",
            "Fiche pédagogique",
            "Unterrichtsentwurf",
            "Plano de aula",
            "خطة درس",
            "教案",
            "План урока",
            "Andalio la somo",
            "पाठ योजना",
        ),
    ),
    ResourceType(
        "dataset",
        ("Dataset", "dataset", "info:eu-repo/semantics/other"),
        ("text/csv", "application/json", "CSV"),
        _titles(
            "Dataset",
            "Conjunto de datos",
            "Jeu de données",
            "Datensatz",
            "Conjunto de dados",
            "مجموعة بيانات",
            "数据集",
            "Набор данных",
            "Seti ya data",
            "डेटासेट",
        ),
    ),
    ResourceType(
        "policy-brief",
        ("Text", "Policy brief", "info:eu-repo/semantics/report"),
        ("application/pdf",),
        _titles(
            "Policy brief",
            "Resumen de políticas",
            "Note d'orientation",
            "Kurzdossier",
            "Resumo de políticas",
            "موجز سياساتي",
            "政策简报",
            "Аналитическая записка",
            "Muhtasari wa sera",
            "नीति सार",
        ),
    ),
    ResourceType(
        "toolkit",
        ("Toolkit", "Collection", "InteractiveResource"),
        ("application/zip", "text/html", "application/pdf"),
        _titles(
            "Toolkit",
            "Caja de herramientas",
            "Boîte à outils",
            "Werkzeugkasten",
            "Kit de ferramentas",
            "مجموعة أدوات",
            "工具包",
            "Набор инструментов",
            "Kifurushi cha zana",
            "टूलकिट",
        ),
    ),
    ResourceType(
        "image",
        ("Image", "StillImage", "Infographic"),
        ("image/png", "image/svg+xml", "image/jpeg"),
        _titles(
            "Infographic",
            "Infografía",
            "Infographie",
            "Infografik",
            "Infográfico",
            "رسم معلوماتي",
            "信息图",
            "Инфографика",
            "Mchoro wa taarifa",
            "इन्फोग्राफ़िक",
        ),
    ),
    ResourceType(
        "teacher-guide",
        ("Text", "Teacher guide", "Handbook"),
        ("application/pdf", "application/epub+zip"),
        _titles(
            "Teacher's guide",
            "Guía docente",
            "Guide de l'enseignant",
            "Handreichung für Lehrkräfte",
            "Guia do professor",
            "دليل المعلم",
            "教师指南",
            "Методическое пособие",
            "Mwongozo wa mwalimu",
            "शिक्षक मार्गदर्शिका",
        ),
    ),
    ResourceType(
        "slides",
        ("Presentation", "Slides", "Text"),
        (
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.oasis.opendocument.presentation",
            "application/pdf",
        ),
        _titles(
            "Presentation slides",
            "Diapositivas",
            "Diaporama",
            "Präsentationsfolien",
            "Apresentação de slides",
            "شرائح عرض تقديمي",
            "演示文稿",
            "Презентация",
            "Slaidi za uwasilishaji",
            "प्रस्तुति स्लाइड",
        ),
    ),
    ResourceType(
        "assessment",
        ("Assessment", "InteractiveResource", "Quiz"),
        ("text/html", "application/xml"),
        _titles(
            "Quiz and assessment",
            "Cuestionario de evaluación",
            "Quiz d'évaluation",
            "Quiz zur Lernkontrolle",
            "Questionário de avaliação",
            "اختبار تقييمي",
            "测验与评估",
            "Тест для самопроверки",
            "Jaribio la tathmini",
            "प्रश्नोत्तरी और मूल्यांकन",
        ),
    ),
    ResourceType(
        "podcast",
        ("Sound", "Audio", "Podcast"),
        ("audio/mpeg", "MP3"),
        _titles(
            "Podcast",
            "Pódcast",
            "Podcast",
            "Podcast",
            "Podcast",
            "بودكاست",
            "播客",
            "Подкаст",
            "Podikasti",
            "पॉडकास्ट",
        ),
    ),
)
TYPE_WEIGHTS = (16, 12, 11, 12, 6, 6, 6, 5, 8, 6, 7, 5)
POLICY_TYPES = ("policy-brief", "toolkit", "teacher-guide", "slides", "course")

DISCIPLINES: dict[str, dict[str, str]] = {
    "education": _titles(
        "Education",
        "Educación",
        "Éducation",
        "Bildung",
        "Educação",
        "التعليم",
        "教育",
        "Образование",
        "Elimu",
        "शिक्षा",
    ),
    "social": _titles(
        "Social sciences",
        "Ciencias sociales",
        "Sciences sociales",
        "Sozialwissenschaften",
        "Ciências sociais",
        "العلوم الاجتماعية",
        "社会科学",
        "Общественные науки",
        "Sayansi ya jamii",
        "सामाजिक विज्ञान",
    ),
    "environment": _titles(
        "Environmental science",
        "Ciencias ambientales",
        "Sciences de l'environnement",
        "Umweltwissenschaften",
        "Ciências ambientais",
        "علوم البيئة",
        "环境科学",
        "Экология",
        "Sayansi ya mazingira",
        "पर्यावरण विज्ञान",
    ),
    "health": _titles(
        "Health sciences",
        "Ciencias de la salud",
        "Sciences de la santé",
        "Gesundheitswissenschaften",
        "Ciências da saúde",
        "العلوم الصحية",
        "健康科学",
        "Здравоохранение",
        "Sayansi ya afya",
        "स्वास्थ्य विज्ञान",
    ),
    "economics": _titles(
        "Economics",
        "Economía",
        "Économie",
        "Wirtschaftswissenschaften",
        "Economia",
        "الاقتصاد",
        "经济学",
        "Экономика",
        "Uchumi",
        "अर्थशास्त्र",
    ),
    "information": _titles(
        "Library and information science",
        "Bibliotecología y ciencias de la información",
        "Sciences de l'information",
        "Informationswissenschaft",
        "Ciência da informação",
        "علم المعلومات",
        "信息科学",
        "Информационные науки",
        "Sayansi ya habari",
        "सूचना विज्ञान",
    ),
    "mathematics": _titles(
        "Mathematics",
        "Matemáticas",
        "Mathématiques",
        "Mathematik",
        "Matemática",
        "الرياضيات",
        "数学",
        "Математика",
        "Hisabati",
        "गणित",
    ),
    "biology": _titles(
        "Biology",
        "Biología",
        "Biologie",
        "Biologie",
        "Biologia",
        "علم الأحياء",
        "生物学",
        "Биология",
        "Biolojia",
        "जीवविज्ञान",
    ),
    "history": _titles(
        "History",
        "Historia",
        "Histoire",
        "Geschichte",
        "História",
        "التاريخ",
        "历史",
        "История",
        "Historia",
        "इतिहास",
    ),
    "computing": _titles(
        "Computer science",
        "Informática",
        "Informatique",
        "Informatik",
        "Ciência da computação",
        "علوم الحاسوب",
        "计算机科学",
        "Информатика",
        "Sayansi ya kompyuta",
        "कंप्यूटर विज्ञान",
    ),
    "physics": _titles(
        "Physics",
        "Física",
        "Physique",
        "Physik",
        "Física",
        "الفيزياء",
        "物理学",
        "Физика",
        "Fizikia",
        "भौतिकी",
    ),
    "chemistry": _titles(
        "Chemistry",
        "Química",
        "Chimie",
        "Chemie",
        "Química",
        "الكيمياء",
        "化学",
        "Химия",
        "Kemia",
        "रसायन विज्ञान",
    ),
    "engineering": _titles(
        "Engineering",
        "Ingeniería",
        "Ingénierie",
        "Ingenieurwissenschaften",
        "Engenharia",
        "الهندسة",
        "工程学",
        "Инженерное дело",
        "Uhandisi",
        "अभियांत्रिकी",
    ),
    "agriculture": _titles(
        "Agriculture",
        "Agricultura",
        "Agriculture",
        "Agrarwissenschaften",
        "Agricultura",
        "الزراعة",
        "农学",
        "Сельское хозяйство",
        "Kilimo",
        "कृषि",
    ),
}
# A Dewey class some repositories put in dc:subject instead of words.
DEWEY_CLASSES = {
    "education": "370",
    "social": "300",
    "environment": "363.7",
    "health": "613",
    "economics": "330",
    "information": "020",
    "mathematics": "510",
    "biology": "570",
    "history": "909",
    "computing": "005.13",
    "physics": "530",
    "chemistry": "540",
    "engineering": "620",
    "agriculture": "630",
}
SDG_TAG = {
    "en": "SDG {n}",
    "es": "ODS {n}",
    "fr": "ODD {n}",
    "pt": "ODS {n}",
    "de": "SDG {n}",
    "ru": "ЦУР {n}",
}

# The first sentence of a description: {type}, {topic}, {audience}; the audience
# phrases below are already in the grammatical case each template needs.
DESCRIPTION_TEMPLATES = _titles(
    "Open educational resource ({type}) on “{topic}”, prepared for {audience}.",
    "Recurso educativo abierto ({type}) sobre «{topic}», pensado para {audience}.",
    "Ressource éducative libre ({type}) consacrée à « {topic} », conçue pour {audience}.",
    "Offenes Bildungsmaterial ({type}) zum Thema „{topic}“ für {audience}.",
    "Recurso educacional aberto ({type}) sobre “{topic}”, destinado a {audience}.",
    "مورد تعليمي مفتوح ({type}) حول «{topic}»، موجّه إلى {audience}.",
    "这是一份关于“{topic}”的开放教育资源（{type}），面向{audience}。",
    "Открытый образовательный ресурс ({type}) по теме «{topic}» для {audience}.",
    "Rasilimali huria ya elimu ({type}) kuhusu “{topic}”, iliyoandaliwa kwa ajili ya {audience}.",
    "“{topic}” पर एक मुक्त शैक्षिक संसाधन ({type}), जो {audience} के लिए तैयार किया गया है।",
)
AUDIENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "secondary school teachers",
        "university students",
        "teacher educators",
        "policy makers",
        "librarians and repository managers",
        "adult learners",
    ),
    "es": (
        "docentes de secundaria",
        "estudiantes universitarios",
        "formadores de docentes",
        "responsables de políticas públicas",
        "bibliotecarios y gestores de repositorios",
        "personas adultas en formación",
    ),
    "fr": (
        "les enseignants du secondaire",
        "les étudiants universitaires",
        "les formateurs d'enseignants",
        "les décideurs politiques",
        "les bibliothécaires et gestionnaires de dépôts",
        "les apprenants adultes",
    ),
    "de": (
        "Lehrkräfte der Sekundarstufe",
        "Studierende",
        "Lehrerbildnerinnen und Lehrerbildner",
        "politische Entscheidungsträger",
        "Bibliothekarinnen und Bibliothekare",
        "erwachsene Lernende",
    ),
    "pt": (
        "professores do ensino médio",
        "estudantes universitários",
        "formadores de professores",
        "gestores públicos",
        "bibliotecários e gestores de repositórios",
        "estudantes adultos",
    ),
    "ar": (
        "معلمي المرحلة الثانوية",
        "طلاب الجامعات",
        "مدربي المعلمين",
        "صانعي السياسات",
        "أمناء المكتبات ومديري المستودعات",
        "المتعلمين الكبار",
    ),
    "zh": (
        "中学教师",
        "大学生",
        "师资培训人员",
        "政策制定者",
        "图书馆员和资源库管理员",
        "成人学习者",
    ),
    "ru": (
        "учителей средней школы",
        "студентов вузов",
        "преподавателей педагогических вузов",
        "руководителей органов образования",
        "библиотекарей и администраторов репозиториев",
        "взрослых учащихся",
    ),
    "sw": (
        "walimu wa sekondari",
        "wanafunzi wa vyuo vikuu",
        "wakufunzi wa walimu",
        "watunga sera",
        "wakutubi na wasimamizi wa hazina",
        "wanafunzi watu wazima",
    ),
    "hi": (
        "माध्यमिक विद्यालय के शिक्षकों",
        "विश्वविद्यालय के विद्यार्थियों",
        "शिक्षक प्रशिक्षकों",
        "नीति निर्माताओं",
        "पुस्तकालयाध्यक्षों और रिपॉज़िटरी प्रबंधकों",
        "वयस्क शिक्षार्थियों",
    ),
}
DESCRIPTION_EXTRAS: dict[str, tuple[str, ...]] = {
    "en": (
        "It includes worked examples, classroom activities and suggestions for adapting "
        "the material to local contexts.",
        "The resource was reviewed by subject experts and can be translated, remixed and "
        "redistributed.",
        "Printable and mobile-friendly versions are available for low-bandwidth settings.",
    ),
    "es": (
        "Incluye ejemplos resueltos, actividades para el aula y sugerencias para adaptar el "
        "material al contexto local.",
        "El recurso fue revisado por especialistas y puede traducirse, remezclarse y "
        "redistribuirse.",
        "Se ofrecen versiones imprimibles y adaptadas a dispositivos móviles para zonas con "
        "poca conectividad.",
    ),
    "fr": (
        "Il comprend des exemples corrigés, des activités pour la classe et des pistes pour "
        "adapter le contenu au contexte local.",
        "La ressource a été relue par des spécialistes et peut être traduite, remaniée et "
        "redistribuée.",
        "Des versions imprimables et adaptées aux mobiles sont proposées pour les zones à "
        "faible connectivité.",
    ),
    "de": (
        "Enthalten sind Beispielaufgaben mit Lösungen, Unterrichtsaktivitäten und Hinweise "
        "zur Anpassung an den lokalen Kontext.",
        "Das Material wurde fachlich begutachtet und darf übersetzt, bearbeitet und "
        "weiterverbreitet werden.",
        "Druckfähige und mobilfreundliche Fassungen stehen für Regionen mit geringer "
        "Bandbreite bereit.",
    ),
    "pt": (
        "Inclui exemplos resolvidos, atividades para a sala de aula e sugestões para adaptar "
        "o material ao contexto local.",
        "O recurso foi revisado por especialistas e pode ser traduzido, remixado e redistribuído.",
        "Há versões para impressão e para dispositivos móveis, pensadas para locais com "
        "pouca conectividade.",
    ),
    "ar": (
        "يتضمن أمثلة محلولة وأنشطة صفية واقتراحات لتكييف المحتوى مع السياق المحلي.",
        "راجع المورد خبراء في المجال، ويمكن ترجمته وإعادة مزجه وإعادة توزيعه.",
        "تتوفر نسخ قابلة للطباعة ومناسبة للهواتف المحمولة للمناطق ذات الاتصال الضعيف.",
    ),
    "zh": (
        "资源包含例题、课堂活动以及根据本地情况改编内容的建议。",
        "本资源经学科专家审阅，可自由翻译、改编和再发布。",
        "提供可打印版本和移动端版本，适合网络条件较差的地区使用。",
    ),
    "ru": (
        "Ресурс содержит разобранные примеры, задания для работы в классе и советы по "
        "адаптации материала к местным условиям.",
        "Материал прошёл экспертную проверку; его можно переводить, перерабатывать и "
        "распространять.",
        "Доступны версии для печати и для мобильных устройств, рассчитанные на слабое "
        "интернет-соединение.",
    ),
    "sw": (
        "Inajumuisha mifano iliyofanyiwa kazi, shughuli za darasani na mapendekezo ya "
        "kurekebisha maudhui kulingana na mazingira ya eneo husika.",
        "Rasilimali hii imekaguliwa na wataalamu na inaweza kutafsiriwa, kurekebishwa na "
        "kusambazwa upya.",
        "Matoleo ya kuchapisha na ya simu za mkononi yanapatikana kwa maeneo yenye intaneti "
        "hafifu.",
    ),
    "hi": (
        "इसमें हल किए गए उदाहरण, कक्षा गतिविधियाँ और सामग्री को स्थानीय संदर्भ के अनुसार ढालने "
        "के सुझाव शामिल हैं।",
        "इस संसाधन की समीक्षा विषय विशेषज्ञों ने की है और इसका अनुवाद, रूपांतरण और पुनर्वितरण किया जा सकता है।",
        "कम इंटरनेट कनेक्टिविटी वाले क्षेत्रों के लिए प्रिंट करने योग्य और मोबाइल-अनुकूल संस्करण उपलब्ध हैं।",
    ),
}
UNIT_TITLES = _titles(
    "{topic} – Unit {n}",
    "{topic}. Unidad {n}",
    "{topic} – Unité {n}",
    "{topic} – Einheit {n}",
    "{topic}: Unidade {n}",
    "{topic} - الوحدة {n}",
    "{topic}：第{n}单元",
    "{topic}. Модуль {n}",
    "{topic}: Sehemu ya {n}",
    "{topic} – इकाई {n}",
)
TYPED_TITLES = {"zh": "{topic}（{type}）"}  # everyone else: "{topic} ({type})"

# (given name, family name); combined and formatted at random, so no real person is meant.
PEOPLE: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("Sarah", "Mitchell"),
        ("James", "Okafor"),
        ("Amina", "Brennan"),
        ("David", "Walsh"),
        ("Grace", "Patel"),
        ("Thomas", "Harrington"),
    ),
    "es": (
        ("María", "García Morales"),
        ("José", "Rodríguez"),
        ("Lucía", "Fernández"),
        ("Carlos", "Castillo"),
        ("Ana", "Vargas Ruiz"),
        ("Javier", "Morales"),
    ),
    "fr": (
        ("Camille", "Lefèvre"),
        ("Julien", "Moreau"),
        ("Aïssatou", "Diallo"),
        ("Nicolas", "Girard"),
        ("Claire", "Dubois"),
        ("Mamadou", "Traoré"),
    ),
    "de": (
        ("Anna", "Müller"),
        ("Lukas", "Schneider"),
        ("Katharina", "Becker"),
        ("Jonas", "Hoffmann"),
        ("Miriam", "Wagner"),
        ("Felix", "Krüger"),
    ),
    "pt": (
        ("Ana", "Silva"),
        ("João", "Santos"),
        ("Beatriz", "Oliveira"),
        ("Pedro", "Costa"),
        ("Mariana", "Pereira"),
        ("Rafael", "Almeida"),
    ),
    "ar": (
        ("أحمد", "العلي"),
        ("فاطمة", "الحسن"),
        ("محمد", "منصور"),
        ("ليلى", "حداد"),
        ("يوسف", "الخطيب"),
        ("سارة", "سليمان"),
    ),
    "zh": (("芳", "王"), ("伟", "李"), ("敏", "张"), ("洋", "刘"), ("静", "陈"), ("磊", "杨")),
    "ru": (
        ("Анна", "Смирнова"),
        ("Дмитрий", "Кузнецов"),
        ("Елена", "Попова"),
        ("Сергей", "Васильев"),
        ("Ольга", "Морозова"),
        ("Игорь", "Волков"),
    ),
    "sw": (
        ("Neema", "Mwakyusa"),
        ("Baraka", "Otieno"),
        ("Zawadi", "Njeri"),
        ("Juma", "Mwinyi"),
        ("Rehema", "Achieng"),
        ("Hamisi", "Kiprono"),
    ),
    "hi": (
        ("प्रिया", "शर्मा"),
        ("राहुल", "वर्मा"),
        ("अनीता", "गुप्ता"),
        ("अमित", "सिंह"),
        ("सुनीता", "यादव"),
        ("विकास", "मिश्रा"),
    ),
}
# Fictional institutions.
PUBLISHERS: dict[str, tuple[str, ...]] = {
    "en": (
        "Open Learning Commons",
        "Riverside Community College Press",
        "Global Classroom Network",
    ),
    "es": ("Universidad Abierta del Pacífico", "Red Latinoamericana de Recursos Abiertos"),
    "fr": ("Université numérique francophone des savoirs", "Réseau Éducation Ouverte Sahel"),
    "de": ("Offene Hochschule Nordsee", "Verein für freie Bildungsmedien e.V."),
    "pt": ("Universidade Aberta do Cerrado", "Rede Lusófona de Educação Aberta"),
    "ar": ("الجامعة المفتوحة للمعرفة", "شبكة الموارد التعليمية العربية"),
    "zh": ("开放知识教育出版社", "华南开放大学"),
    "ru": ("Открытый университет Поволжья", "Издательство «Свободное знание»"),
    "sw": ("Chuo Kikuu Huria cha Afrika Mashariki", "Mtandao wa Elimu Huria Afrika"),
    "hi": ("मुक्त ज्ञान शिक्षा संस्थान", "दक्षिण एशिया मुक्त अधिगम नेटवर्क"),
}
COVERAGE: dict[str, tuple[str, ...]] = {
    "en": ("Global", "Sub-Saharan Africa", "Pacific Islands", "Caribbean"),
    "es": ("América Latina", "Perú", "2020-2030", "Centroamérica"),
    "fr": ("Afrique de l'Ouest", "Sénégal", "Francophonie"),
    "de": ("Deutschland", "DACH"),
    "pt": ("Brasil", "Moçambique", "Países de língua portuguesa"),
    "ar": ("المنطقة العربية", "Jordan"),
    "zh": ("China", "亚太地区"),
    "ru": ("Россия", "Центральная Азия"),
    "sw": ("Kenya", "Tanzania", "East Africa"),
    "hi": ("India", "दक्षिण एशिया"),
}
LANGUAGE_SHAPES: dict[str, tuple[str, ...]] = {
    "en": ("en", "eng", "English", "en-US", "en_GB", "EN"),
    "es": ("es", "spa", "Spanish", "es_ES", "español", "es-419"),
    "fr": ("fr", "fre", "fra", "French", "français", "fr-FR"),
    "de": ("de", "ger", "deu", "Deutsch", "German", "de-DE"),
    "pt": ("pt", "por", "pt-BR", "Portuguese", "português", "pt_PT"),
    "ar": ("ar", "ara", "Arabic", "العربية"),
    "zh": ("zh", "chi", "zho", "zh-CN", "Chinese", "中文"),
    "ru": ("ru", "rus", "Russian", "русский"),
    "sw": ("sw", "swa", "Swahili", "Kiswahili"),
    "hi": ("hi", "hin", "Hindi", "हिन्दी"),
}
ISO639_2 = {
    "en": "eng",
    "es": "spa",
    "fr": "fre",
    "de": "ger",
    "pt": "por",
    "ar": "ara",
    "zh": "chi",
    "ru": "rus",
    "sw": "swa",
    "hi": "hin",
}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_ES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def pick_rights(rng: random.Random, lang: str, year: int) -> list[str]:
    """0-2 dc:rights values, in the many shapes repositories write a licence."""
    shapes: list[tuple[list[str], int]] = [
        (["https://creativecommons.org/licenses/by/4.0/"], 22),
        (["CC BY-SA 4.0"], 12),
        (["http://creativecommons.org/publicdomain/zero/1.0/"], 5),
        (
            [
                "info:eu-repo/semantics/openAccess",
                "https://creativecommons.org/licenses/by-nc-sa/4.0/",
            ],
            6,
        ),
        (["info:eu-repo/semantics/openAccess"], 3),
        ([f"© {year} All rights reserved"], 3),
        (["Public domain"], 3),
        (["http://rightsstatements.org/vocab/InC-EDU/1.0/"], 3),
        (["Attribution-NonCommercial-ShareAlike 4.0 International (CC BY-NC-SA 4.0)"], 5),
        (["https://creativecommons.org/licenses/by-sa/3.0/igo/"], 3),
        (["CC-BY"], 4),
        (["Creative Commons Attribution 4.0 International"], 4),
        ([], 9),
    ]
    if lang == "de":
        shapes += [(["cc-by-nc-nd 3.0 de"], 8), (["Namensnennung 4.0 International"], 10)]
    if lang == "es":
        shapes += [
            (["https://creativecommons.org/licenses/by-nc/4.0/deed.es"], 10),
            (
                [
                    "Esta obra está bajo una licencia de Creative Commons Reconocimiento 4.0 "
                    "Internacional."
                ],
                5,
            ),
        ]
    if lang == "fr":
        shapes += [
            (
                [
                    "Licence Creative Commons Attribution - Partage dans les Mêmes Conditions "
                    "4.0 International"
                ],
                6,
            )
        ]
    values, weights = zip(*shapes, strict=True)
    return list(rng.choices(values, weights=weights)[0])


def pick_languages(rng: random.Random, lang: str, second: str | None) -> list[str]:
    roll = rng.random()
    if roll < 0.20:
        return []
    if roll < 0.23:
        return ["und"]
    if second is not None:
        if rng.random() < 0.5:
            return [f"{ISO639_2[lang]}; {ISO639_2[second]}"]
        return [rng.choice(LANGUAGE_SHAPES[lang]), rng.choice(LANGUAGE_SHAPES[second])]
    return [rng.choice(LANGUAGE_SHAPES[lang])]


def format_date(rng: random.Random, day: datetime, lang: str) -> str:
    shape = rng.randrange(6)
    if shape == 0:
        return str(day.year)
    if shape == 1:
        return day.strftime("%Y-%m-%d")
    if shape == 2:
        return day.strftime("%d/%m/%Y")
    if shape == 3 and lang == "es":
        return f"{MONTHS_ES[day.month - 1]} de {day.year}"
    if shape == 3:
        return f"{MONTHS[day.month - 1]} {day.year}"
    if shape == 4:
        return day.strftime("%Y-%m-%dT%H:%M:%SZ")
    return day.strftime("%Y-%m")


def pick_dates(rng: random.Random, datestamp: datetime, lang: str) -> list[str]:
    created = datestamp - timedelta(days=rng.randrange(0, 900), hours=rng.randrange(24))
    dates = [format_date(rng, created, lang)]
    if rng.random() < 0.15:
        dates.append(datestamp.strftime("%Y-%m-%d"))
    return dates


def isbn13(rng: random.Random) -> str:
    group = rng.choice(("3", "84", "2", "85", "1"))
    publisher = str(rng.randrange(100, 9999))
    title_len = 9 - len(group) - len(publisher)
    title = str(rng.randrange(10 ** (title_len - 1), 10**title_len))
    digits = "978" + group + publisher + title
    check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10) % 10
    return f"978-{group}-{publisher}-{title}-{check}"


def pick_identifiers(rng: random.Random, number: int, type_key: str) -> list[str]:
    identifiers = [f"{RESOURCE_URL}{number}"]
    if rng.random() < 0.35:
        suffix = f"oer.{2019 + number % 8}.{number:04d}"
        identifiers.append(
            rng.choice(
                (
                    f"10.5072/{suffix}",
                    f"https://doi.org/10.5072/{suffix}",
                    f"doi:10.5072/{suffix.upper()}",
                    f"http://dx.doi.org/10.5072/{suffix}",
                    f"10.5072/zenodo.{400000 + number * 37}",
                )
            )
        )
    if type_key in ("textbook", "teacher-guide") and rng.random() < 0.6:
        identifiers.append(isbn13(rng))
    if rng.random() < 0.15:
        identifiers.append(
            rng.choice(
                (
                    f"hdl:20.500.12345/{number + 600}",
                    f"https://hdl.handle.net/20.500.12345/{number + 600}",
                )
            )
        )
    return identifiers


def person_name(rng: random.Random, lang: str) -> str:
    given, family = rng.choice(PEOPLE[lang])
    if lang == "zh":
        return family + given
    return f"{family}, {given}" if rng.random() < 0.6 else f"{given} {family}"


def pick_title(rng: random.Random, topic: Topic, rtype: ResourceType, lang: str) -> str:
    roll = rng.random()
    phrase = topic.titles[lang]
    if roll < 0.45:
        return phrase
    if roll < 0.75:
        pattern = TYPED_TITLES.get(lang, "{topic} ({type})")
        return pattern.format(topic=phrase, type=rtype.labels[lang])
    return UNIT_TITLES[lang].format(topic=phrase, n=rng.randrange(1, 9))


def describe(
    rng: random.Random, topic: Topic, rtype: ResourceType, lang: str, *, html: bool = False
) -> str:
    label = rtype.labels[lang] if lang == "de" else rtype.labels[lang].lower()
    first = DESCRIPTION_TEMPLATES[lang].format(
        type=label, topic=topic.titles[lang], audience=rng.choice(AUDIENCES[lang])
    )
    extra = rng.choice(DESCRIPTION_EXTRAS[lang])
    if html:  # some repositories ship descriptions as HTML fragments
        return f"<p>{first}</p>\n<p><em>{extra}</em></p>"
    return f"{first}{extra}" if lang == "zh" else f"{first} {extra}"


def lang_string(value: str, lang: str | None) -> dict[str, str | None]:
    return {"value": value, "lang": lang}


def pick_subjects(rng: random.Random, topic: Topic, lang: str) -> list[dict[str, str | None]]:
    subjects = [
        lang_string(DISCIPLINES[topic.discipline][lang], lang if rng.random() < 0.8 else None)
    ]
    keywords = rng.sample(topic.keywords, k=rng.randrange(1, len(topic.keywords) + 1))
    if rng.random() < 0.2:
        subjects.append(lang_string("; ".join(keywords), None))  # one field, many keywords
    else:
        subjects += [lang_string(k, "en" if rng.random() < 0.5 else None) for k in keywords]
    if topic.sdg is not None and rng.random() < 0.6:
        tag = SDG_TAG.get(lang, "SDG {n}").format(n=topic.sdg)
        subjects.append(lang_string(tag, None))
    if rng.random() < 0.1:
        subjects.append(lang_string(DEWEY_CLASSES[topic.discipline], None))
    return subjects


def pick_type(rng: random.Random, topic: Topic) -> ResourceType:
    if topic.area in ("policy", "sustainability", "international-cooperation"):
        key = rng.choice(POLICY_TYPES)
        return next(t for t in RESOURCE_TYPES if t.key == key)
    return rng.choices(RESOURCE_TYPES, weights=TYPE_WEIGHTS)[0]


def random_datestamp(rng: random.Random) -> datetime:
    span = int((LAST_DATESTAMP - FIRST_DATESTAMP).total_seconds())
    return FIRST_DATESTAMP + timedelta(seconds=rng.randrange(span))


def record_sets(topic: Topic, rtype: ResourceType, lang: str) -> list[str]:
    sets = [f"type:{rtype.key}", f"lang:{lang}"]
    if topic.sdg is not None:
        sets.append(f"sdg:{topic.sdg:02d}")
    if topic.area is not None:
        sets.append(f"area:{topic.area}")
    return sets


def build_record(rng: random.Random, number: int) -> dict:
    lang = rng.choices(LANGS, weights=LANG_WEIGHTS)[0]
    topic = rng.choice(TOPICS)
    rtype = pick_type(rng, topic)
    datestamp = random_datestamp(rng)
    second: str | None = None
    if lang != "en" and rng.random() < 0.25:
        second = "en"
    elif lang == "en" and rng.random() < 0.08:
        second = rng.choice(("fr", "es"))

    unlabelled = rng.random() < 0.1  # some repositories never set xml:lang
    titles = [lang_string(pick_title(rng, topic, rtype, lang), None if unlabelled else lang)]
    html = rng.random() < 0.05
    descriptions = [
        lang_string(describe(rng, topic, rtype, lang, html=html), None if unlabelled else lang)
    ]
    if second is not None:
        titles.append(lang_string(topic.titles[second], second))
        if rng.random() < 0.5:
            descriptions.append(lang_string(describe(rng, topic, rtype, second), second))
    if rng.random() < 0.12:
        descriptions = []

    people = [person_name(rng, lang) for _ in range(rng.choices((0, 1, 2, 3), (1, 5, 3, 1))[0])]
    creators = list(dict.fromkeys(people))
    if not creators or rng.random() < 0.1:
        creators.append(rng.choice(PUBLISHERS[lang]))
    contributors = [person_name(rng, second)] if second and rng.random() < 0.4 else []
    dc_types = [rng.choice(rtype.dc_types)]
    if rng.random() < 0.15:
        dc_types.append(rtype.labels[lang])
    formats = [rng.choice(rtype.formats)]
    if rtype.key in ("textbook", "teacher-guide") and rng.random() < 0.3:
        formats.append(f"{rng.randrange(40, 420)} p.")
    if rtype.key in ("lecture-video", "podcast") and rng.random() < 0.3:
        formats.append(f"00:{rng.randrange(8, 59):02d}:00")

    relations: list[str] = []
    if number > 1 and rng.random() < 0.15:
        other = rng.randrange(1, number)
        relations.append(rng.choice((f"{RESOURCE_URL}{other}", f"{OAI_PREFIX}{other}")))
    sources: list[str] = []
    if rng.random() < 0.08:
        sources.append(
            rng.choice(
                (
                    f"Adapted from: {topic.titles['en']}",
                    f"https://demo.oer-pipeline.local/originals/{topic.key}",
                )
            )
        )

    return {
        "identifier": f"{OAI_PREFIX}{number}",
        "datestamp": datestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sets": record_sets(topic, rtype, lang),
        "deleted": False,
        "metadata": {
            "title": titles,
            "creator": creators,
            "subject": pick_subjects(rng, topic, lang),
            "description": descriptions,
            "publisher": [rng.choice(PUBLISHERS[lang])] if rng.random() < 0.85 else [],
            "contributor": contributors,
            "date": pick_dates(rng, datestamp, lang),
            "type": dc_types,
            "format": formats,
            "identifier": pick_identifiers(rng, number, rtype.key),
            "source": sources,
            "language": pick_languages(rng, lang, second),
            "relation": relations,
            "coverage": [rng.choice(COVERAGE[lang])] if rng.random() < 0.3 else [],
            "rights": pick_rights(rng, lang, datestamp.year),
        },
    }


def add_double_escaped_description(records: list[dict]) -> None:
    """One record whose description arrives entity-escaped twice (`&amp;amp;` on the wire)."""
    for record in records:
        metadata = record.get("metadata")
        if metadata and metadata["description"] and metadata["description"][0]["lang"] == "en":
            metadata["description"][0]["value"] += " Maps &amp; worksheets are included."
            return


def delete(record: dict, rng: random.Random) -> dict:
    """A deleted record keeps only its header; the deletion is newer than the record."""
    created = datetime.strptime(record["datestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    remaining = int((LAST_DATESTAMP - created).total_seconds())
    deleted_at = created + timedelta(seconds=rng.randrange(max(remaining, 1)))
    return {
        "identifier": record["identifier"],
        "datestamp": deleted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sets": record["sets"],
        "deleted": True,
    }


def build_records(seed: int = SEED, count: int = RECORD_COUNT) -> list[dict]:
    rng = random.Random(seed)
    records = [build_record(rng, number) for number in range(1, count + 1)]
    add_double_escaped_description(records)
    for index in sorted(rng.sample(range(count), DELETED_COUNT)):
        records[index] = delete(records[index], rng)
    return records


def write_records(records: list[dict], path: Path = DATA_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the demo OAI-PMH sample records.")
    parser.add_argument("--out", type=Path, default=DATA_FILE)
    args = parser.parse_args(argv)
    records = build_records()
    write_records(records, args.out)
    print(f"wrote {len(records)} records to {args.out}")


if __name__ == "__main__":
    main()
