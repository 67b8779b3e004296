"""Word tables of the demo's outreach part: campaigns, managers, activity texts, templates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CampaignSpec:
    """One demo campaign; days count from the demo's as-of day (negative: before it)."""

    name: str
    brand: str
    goal: str
    currency: str
    starts: int
    ends: int
    status: str
    niches: tuple[str, ...]
    size: tuple[int, int]  # how many channels to shortlist, at most
    profile: str  # which stages its cards stand in: young, mature, closed, draft
    budget_factor: float  # budget = planned (agreed) × factor; below 1 the plan exceeds it
    fallback_budget: int  # the budget when nothing is agreed (a tiny demo)
    managers: tuple[str, ...]
    languages: tuple[str, ...]  # languages of the channels it shortlists
    formats: tuple[str, ...]  # preferred formats, when the channel offers them
    audience: str


MANAGERS = ("Анна Смирнова", "Дмитрий Орлов", "Екатерина Белова", "Игорь Ким")

CAMPAIGNS = (
    CampaignSpec(
        "Лавка Вкуса — новогодние наборы", "Лавка Вкуса", "sales", "RUB", -20, 35, "active",
        ("food", "parenting", "health"), (45, 60), "mature", 1.15, 1_500_000,
        ("Анна Смирнова", "Игорь Ким"), ("ru",), ("post", "story", "video_integration"),
        "Семьи с детьми 25–45, Москва и Петербург; заказывают готовую еду и подарочные наборы.",
    ),
    CampaignSpec(
        "Ягода Beauty — запуск сыворотки", "Ягода Beauty", "awareness", "RUB", -45, 10, "active",
        ("beauty", "fashion", "health"), (35, 50), "mature", 0.92, 900_000,
        ("Екатерина Белова",), ("ru",), ("reel", "story", "video_integration"),
        "Женщины 20–40, интерес к уходу за кожей; города-миллионники.",
    ),
    CampaignSpec(
        "Кодариум: осенний набор на курсы", "Кодариум", "subscribers", "RUB", -110, -30,
        "closed", ("education", "tech", "gaming"), (25, 35), "closed", 1.05, 600_000,
        ("Дмитрий Орлов", "Анна Смирнова"), ("ru", "en"), ("post", "video_integration", "native"),
        "Студенты и молодые специалисты 18–30, хотят сменить профессию на IT.",
    ),
    CampaignSpec(
        "Финтраст: карта с кэшбэком", "Финтраст Банк", "reach", "RUB", -30, 60, "active",
        ("finance", "news", "real estate", "humor"), (40, 55), "mature", 1.6, 2_000_000,
        ("Игорь Ким", "Дмитрий Орлов"), ("ru",), ("post", "1/24", "video_integration"),
        "Взрослые 25–55 с доходом выше среднего; вся Россия.",
    ),
    CampaignSpec(
        "SkyRoute Travel App — winter launch", "SkyRoute", "subscribers", "USD", -10, 50,
        "active", ("travel", "food", "humor"), (30, 45), "young", 1.3, 15_000,
        ("Дмитрий Орлов", "Екатерина Белова"), ("ru", "en"), ("post", "reel", "video_integration"),
        "Travellers 22–40 in Russia, Kazakhstan and abroad; app installs from the link.",
    ),
    CampaignSpec(
        "Мотор Плюс: зимние шины", "Мотор Плюс", "awareness", "RUB", 20, 60, "draft",
        ("auto", "tech", "news"), (8, 14), "draft", 1.0, 450_000,
        ("Игорь Ким",), ("ru",), ("post", "video_integration"),
        "Автовладельцы 25–55, регионы с холодной зимой.",
    ),
)  # fmt: skip

# How the cards of a campaign spread over the stages, by the campaign's profile.
STAGE_WEIGHTS = {
    "young": {
        "prospect": 8, "shortlisted": 16, "contacted": 24, "replied": 12, "negotiating": 12,
        "agreed": 8, "scheduled": 5, "published": 2, "reported": 1, "paid": 1, "declined": 6,
        "no_response": 5,
    },
    "mature": {
        "prospect": 3, "shortlisted": 6, "contacted": 10, "replied": 8, "negotiating": 9,
        "agreed": 9, "scheduled": 9, "published": 8, "reported": 7, "paid": 10, "declined": 11,
        "no_response": 10,
    },
    "closed": {"paid": 60, "declined": 20, "no_response": 20},
    "draft": {"prospect": 60, "shortlisted": 40},
}  # fmt: skip

# A format in a sentence: Russian accusative ("предложили пост"), English as is.
FORMAT_WORDS = {
    "ru": {
        "post": "пост", "story": "сторис", "reel": "рилс", "video_integration": "интеграцию",
        "dedicated_video": "отдельный ролик", "1/24": "пост 1/24", "2/48": "пост 2/48",
        "3/72": "пост 3/72", "native": "нативную статью", "pinned": "закреп",
        "repost": "репост", "live": "эфир", "other": "размещение",
    },
    "en": {
        "post": "post", "story": "story", "reel": "reel", "video_integration": "video integration",
        "dedicated_video": "dedicated video", "1/24": "1/24 post", "2/48": "2/48 post",
        "3/72": "3/72 post", "native": "native article", "pinned": "pinned post",
        "repost": "repost", "live": "live stream", "other": "placement",
    },
}  # fmt: skip
MONTHS = {
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip

# Activity texts by the moment of the card's history they belong to; each entry is
# (activity type, text). Fill-ins: {brand} {format} {price} {date}.
ACTIVITIES: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "ru": {
        "contact": (
            ("message", "Первое сообщение в Telegram: предложили {format} для «{brand}», "
                        "спросили прайс и свободные даты."),
            ("message", "Написали админу: {format}, бренд «{brand}», нужна дата в ближайшие "
                        "две недели."),
            ("email", "Отправили запрос на почту из описания канала, приложили бриф «{brand}»."),
            ("email", "Письмо с брифом и примерами креативов «{brand}»."),
        ),
        "reminder": (
            ("message", "Напомнили о себе в Telegram, сообщение прочитано."),
            ("message", "Повторное сообщение: продублировали запрос."),
            ("email", "Повторное письмо с брифом, тема «{brand}: напоминание»."),
            ("call", "Позвонили по номеру из описания — не взяли трубку."),
        ),
        "reply": (
            ("message", "Ответил: {format} — {price}, ближайшее окно {date}."),
            ("message", "Ответила, прислала медиакит. {format}: {price}."),
            ("message", "Ответ от менеджера канала: {price} за {format}, предоплата 100%."),
            ("email", "Ответ по почте: готовы, прайс {price}, просят ТЗ до конца недели."),
        ),
        "negotiate": (
            ("call", "Созвонились: торгуемся, просят {price}, предложили пакет из двух постов."),
            ("call", "Обсудили по телефону подачу и сроки, ждут ТЗ."),
            ("message", "Попросили скидку 15% за выход в будний день."),
            ("message", "Уточнили охваты: прислали скрин статистики за месяц."),
            ("meeting", "Встреча в Zoom с автором: обсудили подачу и ограничения по тексту."),
        ),
        "agree": (
            ("note", "Согласовали {price} за {format}, публикация {date}."),
            ("note", "Договорились: {format} за {price}, оплата после выхода."),
            ("message", "Подтвердили в переписке: {price}, дата {date}."),
        ),
        "schedule": (
            ("email", "Отправили ТЗ, креатив и ссылку с UTM-метками. Выход {date}."),
            ("message", "Утвердили текст, пост в отложке на {date}."),
            ("note", "Получили erid, маркировку передали автору."),
        ),
        "publish": (
            ("note", "Пост вышел, ссылку добавили в отчёт."),
            ("note", "Интеграция опубликована, маркировку проверили."),
            ("message", "Автор прислал ссылку на публикацию."),
        ),
        "report": (
            ("message", "Прислал скрин статистики через 48 часов."),
            ("note", "Отчёт получен: охват и переходы по ссылке внесли в таблицу."),
        ),
        "pay": (
            ("note", "Оплачено {price} по счёту, закрывающие документы получены."),
            ("note", "Оплата {price} самозанятому, чек получен."),
        ),
        "decline": (
            ("message", "Отказ: не берут рекламу этой категории."),
            ("message", "Отказались: все слоты заняты до февраля."),
            ("note", "Не сошлись по цене: просили {price}, это выше нашего потолка."),
            ("message", "Автор не работает с маркировкой рекламы, отказ."),
        ),
        "give_up": (
            ("note", "Больше недели без ответа после напоминания, закрываем."),
            ("note", "Нет ответа ни в Telegram, ни на почту."),
        ),
        "aside": (
            ("note", "Аудитория по скринам: 70% женщины 25–44."),
            ("note", "Коллеги работали с каналом весной — всё вышло в срок."),
            ("note", "В комментариях много ботов, проверить охваты перед оплатой."),
        ),
    },
    "en": {
        "contact": (
            ("email", "First e-mail: offered a {format} for {brand}, asked for rates and dates."),
            ("message", "DM on Telegram: {format} for {brand}, looking for a slot this month."),
        ),
        "reminder": (
            ("email", "Follow-up e-mail sent."),
            ("message", "Pinged again on Telegram, message read."),
        ),
        "reply": (
            ("email", "Replied: {format} is {price}, next free slot {date}."),
            ("message", "Sent their media kit: {price} per {format}, 50% upfront."),
        ),
        "negotiate": (
            ("call", "Call with the creator: asked for a two-post bundle discount."),
            ("meeting", "Zoom call: agreed on the talking points, they want final approval."),
            ("message", "They asked for {price}; we offered a lower rate for a weekday slot."),
        ),
        "agree": (
            ("note", "Agreed {price} for a {format}, going live {date}."),
            ("email", "Confirmed by e-mail: {price}, {date}."),
        ),
        "schedule": (
            ("email", "Sent the brief, creatives and the tracking link. Live on {date}."),
            ("message", "Script approved, scheduled for {date}."),
        ),
        "publish": (
            ("note", "Live: link added to the report."),
            ("message", "Creator sent the link to the post."),
        ),
        "report": (
            ("email", "Stats screenshot received 48 hours after posting."),
            ("note", "Report in: reach and link clicks added to the sheet."),
        ),
        "pay": (
            ("note", "Paid {price} by bank transfer, invoice filed."),
            ("note", "Paid {price} via PayPal, receipt saved."),
        ),
        "decline": (
            ("email", "Declined: they do not run ads in this category."),
            ("note", "Could not agree on price: they asked {price}, above our cap."),
            ("message", "Fully booked until March, declined."),
        ),
        "give_up": (("note", "No reply for over a week after a follow-up; closing."),),
        "aside": (
            ("note", "Audience mostly 25–34, strong in Dubai and Limassol."),
            ("note", "Worked with another agency last quarter, good results."),
        ),
    },
}  # fmt: skip

# Notes on a shortlist card (what a manager jots down about a channel in the campaign).
CARD_NOTES = (
    "Просит 50% предоплату.",
    "Только нативная подача, без прямой рекламы.",
    "Дал скидку 10% за два поста.",
    "Ответы только по вечерам.",
    "Проверить охваты: последние посты просели.",
    "Согласовывает текст с редактором, закладывать 2 дня.",
)

# Where a quote and a payment are recorded from: the price's source.
QUOTE_SOURCES = {"ru": ("Telegram", "почта", "медиакит"), "en": ("e-mail", "media kit")}
PAID_SOURCES = {"ru": ("счёт", "чек самозанятого"), "en": ("bank transfer", "PayPal")}

# Message templates: (name, language, subject, body); only the seven known placeholders.
TEMPLATES = (
    (
        "Первое сообщение", "ru", "Реклама {brand} в «{channel}»",
        "Здравствуйте, {owner}!\n\n"
        "Я отвечаю за продвижение {brand}. Хотим разместить {format} в «{channel}» "
        "в рамках кампании «{campaign}».\n\n"
        "Ориентир по бюджету — {price}, желаемая дата — {date}. "
        "Подскажите, есть ли свободные слоты?\n\nСпасибо!",
    ),
    (
        "Напоминание", "ru", "{brand}: напоминание",
        "{owner}, добрый день! Напоминаю про наше предложение: {format} в «{channel}» "
        "для {brand}, дата {date}. Если дата неудобна, подберём другую.",
    ),
    (
        "Подтверждение размещения", "ru", "{brand} × «{channel}»: подтверждение",
        "{owner}, подтверждаем: {format} в «{channel}», выход {date}, стоимость {price}.\n"
        "Кампания «{campaign}». ТЗ, креатив и маркировку пришлём отдельным письмом.",
    ),
    (
        "First pitch", "en", "{brand} × {channel}",
        "Hi {owner},\n\n"
        "I'm reaching out on behalf of {brand}. We'd love to book a {format} on {channel} "
        "as part of our {campaign} campaign.\n\n"
        "Our budget is around {price} and we're aiming for {date}. Do you have a slot?\n\n"
        "Best regards",
    ),
    (
        "Follow-up", "en", "Re: {brand} × {channel}",
        "Hi {owner}, just following up on my message about a {format} on {channel} for "
        "{brand} ({date}). Happy to move the date if that helps.",
    ),
)  # fmt: skip
