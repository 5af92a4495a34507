# ruff: noqa: E501  (prose: an onboarding step is one line of text, whatever its length)
"""Default programme texts for employer info packs, in English, Dutch and Swedish.

These are the defaults for new databases: the seed migration copies them into ProgrammeProfile rows;
administrators then edit them in the admin.
Contents follow igma ch. 6 "Ondersteuning van werkgevers" and Flora §4.10: the programme, intended
results for the employer and for the individual, what we expect from the employer (Flora IV.3
werkgever A.b), the support offered, questions and answers, what the coach does and does not do and
why to call early (Flora IV.3 werkgever B), employment measures and administrative help (IV.3
werkgever C), the on-call arrangement (IV.4.C.e), confidentiality (III.1.B), quality of work
(II.3.C.b) and no promised results (ICF ethics, III.1.B).

Format: paragraphs are separated by a blank line; a paragraph whose lines all start with "- " is a
bullet list. In questions_and_answers every block is one question (first line) and its answer. The
onboarding plan has one step per line (Flora IV.2.A.b "stappenplan").
"""

from __future__ import annotations

ORGANISATION_NAME = "Werkbrug"

PROFILE_FIELDS = (
    "programme_description",
    "results_for_employer",
    "results_for_individual",
    "employer_expectations",
    "support_offered",
    "coach_role",
    "coach_limits",
    "call_early",
    "questions_and_answers",
    "employment_measures",
    "administrative_help",
    "on_call",
    "confidentiality",
    "job_quality",
    "no_promised_results",
    "onboarding_plan",
)

_EN: dict[str, str] = {
    "programme_description": """\
We coach people on their way into work: often women who are new to the country, or who have been away \
from the labour market for a long time. We prepare them for work step by step, and when someone starts \
with you we stay involved: before the first working day, during the first weeks and for up to a year \
afterwards.

Our job coaches work with you as a partner. We answer your need for motivated, well-prepared staff and \
support both you and your new employee while they settle in. It is a service to your organisation, not a \
favour we ask of you.

Every placement is an agreement between three parties: you, the new employee and the job coach. Everyone \
knows what to expect from the others, and the arrangements are set out in this information pack.""",
    "results_for_employer": """\
What you can count on:

- A new colleague who is prepared for the job and becomes productive sooner.
- One fixed contact person who knows your employee and can step in quickly when something is not going \
well, before small problems grow.
- Practical help with onboarding, with the paperwork and with the employment measures you may be entitled to.
- Fewer early departures: most problems in the first months are about expectations, communication and \
work habits, and that is exactly what the job coach works on.""",
    "results_for_individual": """\
For your new employee the placement is a step towards lasting, independent work: a real job with a proper \
contract, an income of their own, work experience and references, and a network outside their own circle.

They gain confidence in what they can do, learn the written and unwritten rules of the workplace and \
practise the language every day. The job coach helps them combine work with family life and other \
commitments, so that the job is sustainable.

Our aim is that, in time, they no longer need us: our support winds down as they find their own way.""",
    "employer_expectations": """\
Good cooperation asks something of you too. We ask you to:

- make time for short consultations with the job coach, especially in the first weeks;
- keep the agreements we make together, and tell us when something needs to change;
- let us know in good time about changes, absence or concerns - do not wait until a problem has grown;
- give the job coach access to the workplace for the agreed visits, and to the person who supervises the work;
- be clear with your new employee about tasks, working hours, rules and expectations, and give feedback \
both when things go well and when they do not;
- appoint a workplace mentor: a colleague your new employee can turn to with everyday questions.""",
    "support_offered": """\
Before the start we go through the job, the tasks and your expectations with you, and we prepare your new \
employee: the work, the colleagues, the working hours, the rules, the work clothes and the way things are \
done in your organisation.

On the first day and in the first week the job coach is easy to reach and, if you and the employee wish, \
visits the workplace. In the first three months we stay in close touch with both of you; at three and at \
six months we hold a follow-up meeting at the workplace together with you. After that, contact becomes \
less frequent, and from about nine months it is on request, up to a year after the start.

At the end we ask you for a short evaluation: were the expectations met, were the goals reached, and what \
can we learn? Your answers help us improve and help the next employer.""",
    "coach_role": """\
The job coach is the contact person for you and for your new employee during the first period at work. \
The coach helps your employee settle into the job and the team, keeps an eye on work habits such as \
arriving on time, reporting absence in good time and following the safety rules, and helps with \
practical obstacles outside work - childcare, transport, paperwork - that could get in the way of the job.

The job coach helps you and your employee talk to each other directly and constructively. When \
expectations differ, the coach helps to make them clear and to find a solution that works for both sides.""",
    "coach_limits": """\
The job coach does not take over your responsibilities as an employer. Welcoming your new employee, \
explaining the work, passing on internal messages and supervising the work day to day remain the task of \
you and your staff; the job coach can advise you on how to go about it.

The job coach does not act in place of either of you: the coach does not negotiate for the employee \
unless asked to, and does not make decisions for you. The job coach is not a recruitment or temping \
agency and not an inspector. The coach stays neutral and does not take sides.""",
    "call_early": """\
Employers often call us only when a dismissal is unavoidable or has already happened. By then there is \
little left to do. Most problems start small: arriving late, a misunderstanding about a task, tension in \
the team, worries at home. At that stage a conversation often makes all the difference.

So please call the job coach as soon as something worries you, however small it seems. You do not need \
to wait for a crisis to ask for help. A short call takes five minutes and can save a placement.""",
    "questions_and_answers": """\
What if our new employee does not understand an instruction?
Explain it again in simple words, show how it is done and let them do it while you watch. Check that it \
is understood by asking them to tell you what they are going to do, rather than asking "Is that clear?". \
Written instructions with pictures help as well. If misunderstandings keep happening, tell the job coach.

How well does our new employee speak the language?
Most of the people we coach are still improving their language. They usually understand more than they \
can say. Speak calmly, use short sentences and avoid jargon and abbreviations. Language improves fastest \
at work, so do involve your new employee in conversations with colleagues.

What do we do about absence or lateness?
Apply the same rules as for any other employee, say clearly what you expect - and let the job coach know. \
Repeated absence often has a cause outside work, such as childcare or transport, and the job coach can \
help with that.

May we ask the job coach about our employee's private situation?
The job coach shares only what the employee has agreed to share. If something at home affects the work, \
the job coach helps to find a solution and, with the employee's permission, tells you what you need to know.

Does working with the job coach cost us anything?
Coaching is free of charge for employers. Some employment measures come with agreements about hours or \
reporting; the job coach explains these to you beforehand.

What if the placement does not work out?
Talk to the job coach first. Together we look at what is needed. If ending the placement is still the \
best decision, we help the employee towards a next step and ask you what we can learn from it.""",
    "employment_measures": """\
Depending on your new employee's situation and the type of contract, you may be entitled to support such \
as a wage subsidy, a trial placement, compensation for reduced productivity, cover for the cost of sick \
leave or a contribution to training. Which measures apply differs between countries and regions and \
changes over time.

The job coach works out with you which measures fit this placement, helps you apply and keeps track of \
the conditions, such as deadlines and reports. A measure is never the reason for a placement: the job \
itself has to be right.""",
    "administrative_help": """\
Hiring someone who is new to the country can mean extra paperwork. The job coach helps your new employee \
gather what you need to take them on - proof of identity, a residence or work permit where one is \
required, a tax or social security number and a bank account - and explains the contract and the payslip \
to them. We can also help you with the forms for employment measures and, where needed, with the \
application for a work permit.""",
    "on_call": """\
During office hours you can call the job coach directly on the number listed under the key contacts. If \
the coach cannot answer, our office puts you through to a colleague who knows the placement.

Outside office hours our on-call line is there for urgent matters, for example when your employee does \
not turn up and cannot be reached, or after an incident at work. For anything that can wait, leave a \
message or send an email and we will get back to you on the next working day.""",
    "confidentiality": """\
The job coach treats what your new employee shares as confidential. We share information with you only \
when the employee has explicitly agreed to it, or when the law requires it. This pack therefore contains \
only what your employee chose to share.

In the same way, what you tell the job coach about your organisation stays between you and us. We do not \
name you as a reference without your permission.""",
    "job_quality": """\
We work with employers who offer good work: a proper employment contract, correct pay and conditions, \
registration for social security and a safe, respectful workplace. We do not coach where there is \
undeclared work, or where staff are replaced again and again so as to keep receiving hiring subsidies.

We also ask about the things that make work possible for the people we coach, such as working hours that \
fit with childcare, flexible hours, a procedure against harassment and how easy it is to get to the \
workplace. We are glad to think these through with you.""",
    "no_promised_results": """\
We cannot guarantee that a placement will succeed. Every person and every workplace is different, and the \
outcome depends on all of us: your employee, you and the job coach. What we do promise is that we prepare \
the placement carefully, keep our agreements, respond quickly when you call and are honest with you about \
what is and is not going well.""",
    "onboarding_plan": """\
Before the start: agree the tasks, working hours, work clothes and the programme of the first day with the job coach
Appoint a workplace mentor and tell the team who is joining
First day: a welcome, a tour of the workplace, introductions to colleagues, and the safety and house rules
First week: explain the main tasks step by step, let your new employee practise, and give feedback at the end of each day
Weeks two to four: extend the tasks gradually and agree a fixed weekly moment with the mentor for questions
After one month: a short review with the employee, the mentor and the job coach - what is going well, what needs attention
After three months: follow-up meeting at the workplace; agree which tasks your employee will do independently
After six months: follow-up meeting and a look ahead at the contract and further development""",
}

_NL: dict[str, str] = {
    "programme_description": """\
Wij begeleiden mensen op weg naar werk: vaak vrouwen die nog niet lang in het land wonen of die lange tijd \
niet hebben gewerkt. We bereiden hen stap voor stap voor op werk, en als iemand bij u begint, blijven we \
betrokken: vóór de eerste werkdag, in de eerste weken en tot een jaar daarna.

Onze jobcoaches werken met u samen als partner. We komen tegemoet aan uw behoefte aan gemotiveerd en goed \
voorbereid personeel, en we ondersteunen zowel u als uw nieuwe medewerker tijdens het inwerken. Het is een \
dienst aan uw organisatie, geen gunst die we van u vragen.

Elke plaatsing is een afspraak tussen drie partijen: u, de nieuwe medewerker en de jobcoach. Iedereen weet \
wat hij van de ander kan verwachten, en de afspraken staan in dit informatiepakket.""",
    "results_for_employer": """\
Hierop kunt u rekenen:

- Een nieuwe collega die is voorbereid op het werk en sneller volwaardig meedraait.
- Eén vast aanspreekpunt dat uw medewerker kent en snel kan bijspringen als iets niet goed loopt, voordat \
kleine problemen groot worden.
- Praktische hulp bij het inwerken, bij de administratie en bij de regelingen waarop u misschien recht hebt.
- Minder vroegtijdige uitval: de meeste problemen in de eerste maanden gaan over verwachtingen, \
communicatie en werkhouding, en juist daaraan werkt de jobcoach.""",
    "results_for_individual": """\
Voor uw nieuwe medewerker is de plaatsing een stap naar duurzaam en zelfstandig werk: een echte baan met \
een goed contract, een eigen inkomen, werkervaring en referenties, en een netwerk buiten de eigen kring.

Uw medewerker krijgt meer vertrouwen in wat hij of zij kan, leert de geschreven en ongeschreven regels van \
de werkvloer kennen en oefent elke dag de taal. De jobcoach helpt om werk te combineren met het gezin en \
andere verplichtingen, zodat het werk vol te houden is.

Ons doel is dat uw medewerker ons na verloop van tijd niet meer nodig heeft: de begeleiding wordt minder \
naarmate hij of zij zelf de weg vindt.""",
    "employer_expectations": """\
Een goede samenwerking vraagt ook iets van u. We vragen u om:

- tijd vrij te maken voor kort overleg met de jobcoach, vooral in de eerste weken;
- de afspraken die we samen maken na te komen, en het ons te laten weten als er iets moet veranderen;
- ons tijdig te laten weten wanneer er iets verandert, iemand afwezig is of u zich zorgen maakt - wacht \
niet tot een probleem groot is geworden;
- de jobcoach toegang te geven tot de werkplek voor de afgesproken bezoeken, en tot degene die het werk \
aanstuurt;
- duidelijk te zijn tegenover uw nieuwe medewerker over taken, werktijden, regels en verwachtingen, en \
feedback te geven als het goed gaat en als het minder goed gaat;
- een werkplekbegeleider aan te wijzen: een collega bij wie uw nieuwe medewerker terechtkan met \
dagelijkse vragen.""",
    "support_offered": """\
Vóór de start bespreken we met u de functie, de taken en uw verwachtingen, en bereiden we uw nieuwe \
medewerker voor: het werk, de collega's, de werktijden, de regels, de werkkleding en de manier van werken \
in uw organisatie.

Op de eerste dag en in de eerste week is de jobcoach goed bereikbaar en komt hij of zij, als u en de \
medewerker dat willen, langs op de werkplek. In de eerste drie maanden houden we nauw contact met u \
allebei; na drie en na zes maanden houden we samen met u een opvolgingsgesprek op de werkplek. Daarna \
wordt het contact minder frequent en vanaf ongeveer negen maanden is het op aanvraag, tot een jaar na de \
start.

Aan het eind vragen we u om een korte evaluatie: zijn de verwachtingen uitgekomen, zijn de doelen bereikt \
en wat kunnen we ervan leren? Uw antwoorden helpen ons om beter te worden, en ze helpen de volgende \
werkgever.""",
    "coach_role": """\
De jobcoach is in de eerste periode het aanspreekpunt voor u en voor uw nieuwe medewerker. De jobcoach \
helpt de medewerker om een plek te vinden in het werk en in het team, let op de werkhouding - op tijd \
komen, afwezigheid tijdig melden, de veiligheidsvoorschriften volgen - en helpt bij praktische problemen \
buiten het werk die de baan in de weg kunnen zitten, zoals kinderopvang, vervoer of papierwerk.

De jobcoach helpt u en uw medewerker om rechtstreeks en constructief met elkaar te praten. Lopen de \
verwachtingen uiteen, dan helpt de jobcoach om ze helder te krijgen en een oplossing te vinden die voor \
beide kanten werkt.""",
    "coach_limits": """\
De jobcoach neemt uw verantwoordelijkheden als werkgever niet over. Uw nieuwe medewerker verwelkomen, het \
werk uitleggen, interne boodschappen doorgeven en het werk van dag tot dag aansturen blijven de taak van u \
en uw medewerkers; de jobcoach kan u wel adviseren over de aanpak.

De jobcoach handelt niet in de plaats van een van beide partijen: de jobcoach onderhandelt niet voor de \
medewerker zonder dat die erom vraagt, en neemt geen beslissingen voor u. De jobcoach is geen uitzend- of \
selectiebureau en geen controleur, blijft neutraal en kiest geen partij.""",
    "call_early": """\
Werkgevers bellen ons vaak pas als een ontslag onvermijdelijk is of al een feit is. Dan valt er weinig meer \
te doen. De meeste problemen beginnen klein: te laat komen, een misverstand over een taak, spanning in het \
team, zorgen thuis. In dat stadium maakt een gesprek vaak het verschil.

Bel de jobcoach daarom zodra iets u zorgen baart, hoe klein het ook lijkt. U hoeft niet te wachten tot er \
een crisis is om hulp te vragen. Een kort telefoontje kost u vijf minuten en kan een plaatsing redden.""",
    "questions_and_answers": """\
Wat als onze nieuwe medewerker een opdracht niet begrijpt?
Leg het nog eens uit in eenvoudige woorden, laat zien hoe het moet en laat het de medewerker doen terwijl \
u meekijkt. Ga na of het begrepen is door te vragen wat de medewerker nu gaat doen, in plaats van te \
vragen: 'Is het duidelijk?' Geschreven instructies met afbeeldingen helpen ook. Blijven er misverstanden \
ontstaan, laat het de jobcoach dan weten.

Hoe goed spreekt onze nieuwe medewerker Nederlands?
De meeste mensen die wij begeleiden, zijn hun Nederlands nog aan het verbeteren. Ze begrijpen meestal meer \
dan ze kunnen zeggen. Spreek rustig, gebruik korte zinnen en vermijd vakjargon en afkortingen. Op het werk \
gaat de taal het snelst vooruit, dus betrek uw nieuwe medewerker gerust bij gesprekken met collega's.

Wat doen we bij afwezigheid of te laat komen?
Hanteer dezelfde regels als voor andere medewerkers, zeg duidelijk wat u verwacht - en laat het de \
jobcoach weten. Herhaalde afwezigheid heeft vaak een oorzaak buiten het werk, zoals kinderopvang of \
vervoer, en daarbij kan de jobcoach helpen.

Mogen we de jobcoach vragen naar de privésituatie van onze medewerker?
De jobcoach deelt alleen wat de medewerker goedvindt. Als iets thuis het werk beïnvloedt, helpt de \
jobcoach een oplossing te zoeken en vertelt u, met toestemming van de medewerker, wat u moet weten.

Kost de samenwerking met de jobcoach ons iets?
De begeleiding is kosteloos voor werkgevers. Bij sommige regelingen horen wel afspraken over uren of \
rapportage; de jobcoach legt die vooraf aan u uit.

Wat als de plaatsing niet lukt?
Praat eerst met de jobcoach. Samen kijken we wat er nodig is. Is stoppen toch de beste beslissing, dan \
helpen we de medewerker op weg naar een volgende stap en vragen we u wat we ervan kunnen leren.""",
    "employment_measures": """\
Afhankelijk van de situatie van uw nieuwe medewerker en het soort contract hebt u mogelijk recht op \
ondersteuning, zoals loonkostensubsidie, een proefplaatsing, een vergoeding voor verminderde \
productiviteit, een no-riskpolis bij ziekte of een bijdrage in de opleidingskosten. Welke regelingen \
gelden, verschilt per land, gemeente of regio en verandert geregeld.

De jobcoach zoekt samen met u uit welke regelingen bij deze plaatsing passen, helpt bij de aanvraag en \
bewaakt de voorwaarden, zoals termijnen en rapportages. Een regeling is nooit de reden voor een \
plaatsing: de baan zelf moet kloppen.""",
    "administrative_help": """\
Iemand in dienst nemen die nog niet lang in het land woont, brengt soms extra papierwerk mee. De jobcoach \
helpt uw nieuwe medewerker om te verzamelen wat u nodig hebt voor de indiensttreding - een \
identiteitsbewijs, een verblijfs- of tewerkstellingsvergunning als die vereist is, een \
burgerservicenummer of rijksregisternummer en een bankrekening - en legt het contract en de loonstrook \
uit. We helpen u ook met de formulieren voor regelingen en, waar nodig, met de aanvraag van een \
werkvergunning.""",
    "on_call": """\
Tijdens kantooruren belt u de jobcoach rechtstreeks op het nummer bij de contactpersonen. Kan de jobcoach \
niet opnemen, dan verbindt ons kantoor u door met een collega die de plaatsing kent.

Buiten kantooruren kunt u voor dringende zaken terecht bij onze bereikbaarheidsdienst, bijvoorbeeld als \
uw medewerker niet komt opdagen en onbereikbaar is, of na een incident op het werk. Voor alles wat kan \
wachten, spreekt u een bericht in of stuurt u een e-mail; we nemen dan de volgende werkdag contact met u op.""",
    "confidentiality": """\
De jobcoach gaat vertrouwelijk om met wat uw nieuwe medewerker vertelt. We delen alleen informatie met u \
als de medewerker daar uitdrukkelijk toestemming voor heeft gegeven, of als de wet dat vereist. Dit \
pakket bevat daarom alleen wat uw medewerker heeft willen delen.

Zo blijft ook wat u de jobcoach over uw organisatie vertelt tussen u en ons. We noemen u niet als \
referentie zonder uw toestemming.""",
    "job_quality": """\
We werken samen met werkgevers die goed werk bieden: een volwaardig arbeidscontract, een correct loon en \
correcte arbeidsvoorwaarden, aanmelding bij de sociale zekerheid en een veilige, respectvolle werkplek. \
We begeleiden niet bij zwartwerk, of waar medewerkers steeds opnieuw worden vervangen om subsidies te \
blijven ontvangen.

We vragen ook naar wat werk mogelijk maakt voor de mensen die wij begeleiden, zoals werktijden die te \
combineren zijn met kinderopvang, flexibele uren, een procedure tegen ongewenst gedrag en de \
bereikbaarheid van de werkplek. We denken daar graag met u over mee.""",
    "no_promised_results": """\
We kunnen niet garanderen dat een plaatsing slaagt. Ieder mens en iedere werkplek is anders, en het \
resultaat hangt van ons allemaal af: uw medewerker, u en de jobcoach. Wat we wel beloven: we bereiden de \
plaatsing zorgvuldig voor, komen onze afspraken na, reageren snel als u belt en zijn eerlijk over wat wel \
en wat niet goed gaat.""",
    "onboarding_plan": """\
Vóór de start: spreek met de jobcoach de taken, werktijden, werkkleding en het programma van de eerste dag af
Wijs een werkplekbegeleider aan en vertel het team wie er komt
Eerste dag: welkom, rondleiding, kennismaking met de collega's, en de veiligheids- en huisregels
Eerste week: leg de belangrijkste taken stap voor stap uit, laat uw nieuwe medewerker oefenen en geef aan het eind van elke dag feedback
Week twee tot vier: breid de taken geleidelijk uit en spreek met de werkplekbegeleider een vast moment per week af voor vragen
Na een maand: korte evaluatie met de medewerker, de werkplekbegeleider en de jobcoach - wat gaat goed, wat vraagt aandacht
Na drie maanden: opvolgingsgesprek op de werkplek; spreek af welke taken uw medewerker zelfstandig gaat doen
Na zes maanden: opvolgingsgesprek en een blik vooruit op het contract en de verdere ontwikkeling""",
}

_SV: dict[str, str] = {
    "programme_description": """\
Vi stöttar människor på väg till arbete: ofta kvinnor som är nya i landet eller som har stått utanför \
arbetsmarknaden länge. Vi förbereder dem steg för steg, och när någon börjar hos er finns vi kvar: före \
den första arbetsdagen, under de första veckorna och upp till ett år efteråt.

Våra jobbcoacher arbetar tillsammans med er som en partner. Vi möter ert behov av motiverad och väl \
förberedd personal och stöttar både er och er nya medarbetare under introduktionen. Det är en tjänst vi \
erbjuder er verksamhet, inte en ynnest vi ber om.

Varje placering är en överenskommelse mellan tre parter: ni, den nya medarbetaren och jobbcoachen. Alla \
vet vad de kan förvänta sig av varandra, och överenskommelserna finns samlade i det här informationspaketet.""",
    "results_for_employer": """\
Det här kan ni räkna med:

- En ny kollega som är förberedd för arbetet och snabbare kommer in i jobbet.
- En fast kontaktperson som känner er medarbetare och snabbt kan kliva in om något inte fungerar, innan \
små problem växer.
- Praktisk hjälp med introduktionen, med administrationen och med de anställningsstöd ni kan ha rätt till.
- Färre tidiga avhopp: de flesta problem under de första månaderna handlar om förväntningar, \
kommunikation och förhållningssätt, och det är just det jobbcoachen arbetar med.""",
    "results_for_individual": """\
För er nya medarbetare är placeringen ett steg mot ett varaktigt och självständigt arbetsliv: ett riktigt \
jobb med ett ordentligt anställningsavtal, en egen inkomst, arbetslivserfarenhet och referenser, och ett \
nätverk utanför den egna kretsen.

Medarbetaren får större tilltro till sin egen förmåga, lär sig arbetsplatsens skrivna och oskrivna regler \
och övar språket varje dag. Jobbcoachen hjälper hen att få arbetet att gå ihop med familjen och andra \
åtaganden, så att jobbet blir hållbart.

Målet är att er medarbetare med tiden inte längre behöver oss: stödet trappas ned i takt med att hen \
hittar sin egen väg.""",
    "employer_expectations": """\
Ett bra samarbete kräver något av er också. Vi ber er att:

- avsätta tid för korta avstämningar med jobbcoachen, särskilt under de första veckorna;
- hålla de överenskommelser vi gör tillsammans, och säga till om något behöver ändras;
- i god tid berätta om förändringar, frånvaro eller oro - vänta inte tills ett problem har vuxit;
- ge jobbcoachen tillträde till arbetsplatsen vid de överenskomna besöken, och till den som leder arbetet;
- vara tydliga mot er nya medarbetare om arbetsuppgifter, arbetstider, regler och förväntningar, och ge \
återkoppling både när det går bra och när det inte gör det;
- utse en handledare på arbetsplatsen: en kollega som er nya medarbetare kan vända sig till med \
vardagliga frågor.""",
    "support_offered": """\
Innan anställningen börjar går vi tillsammans med er igenom tjänsten, arbetsuppgifterna och era \
förväntningar, och vi förbereder er nya medarbetare: arbetet, kollegorna, arbetstiderna, reglerna, \
arbetskläderna och hur man arbetar hos er.

Den första dagen och den första veckan är jobbcoachen lätt att nå och kommer, om ni och medarbetaren vill, \
på besök på arbetsplatsen. Under de första tre månaderna har vi tät kontakt med er båda; efter tre och \
efter sex månader håller vi ett uppföljningsmöte på arbetsplatsen tillsammans med er. Därefter blir \
kontakten glesare, och från ungefär nio månader sker den vid behov, fram till ett år efter starten.

I slutet ber vi er om en kort utvärdering: infriades förväntningarna, nåddes målen och vad kan vi lära oss? \
Era svar hjälper oss att bli bättre, och de hjälper nästa arbetsgivare.""",
    "coach_role": """\
Jobbcoachen är kontaktperson för er och för er nya medarbetare under den första tiden på jobbet. \
Jobbcoachen hjälper medarbetaren att komma in i arbetet och i arbetsgruppen, håller ett öga på \
förhållningssätt som att komma i tid, sjukanmäla sig i god tid och följa säkerhetsreglerna, och hjälper \
till med praktiska hinder utanför jobbet - barnomsorg, resor, pappersarbete - som annars kan stå i vägen \
för arbetet.

Jobbcoachen hjälper er och medarbetaren att prata direkt och konstruktivt med varandra. När \
förväntningarna går isär hjälper jobbcoachen till att reda ut dem och att hitta en lösning som fungerar \
för båda parter.""",
    "coach_limits": """\
Jobbcoachen tar inte över ert ansvar som arbetsgivare. Att ta emot er nya medarbetare, förklara arbetet, \
föra vidare interna besked och leda arbetet i vardagen är fortfarande er och era anställdas uppgift; \
jobbcoachen kan däremot ge råd om hur ni går till väga.

Jobbcoachen agerar inte i någon av parternas ställe: jobbcoachen förhandlar inte för medarbetaren utan \
att ha blivit ombedd, och fattar inga beslut åt er. Jobbcoachen är varken ett bemannings- eller \
rekryteringsföretag eller en kontrollant, är neutral och tar inte parti för någon sida.""",
    "call_early": """\
Arbetsgivare hör ofta av sig först när en uppsägning är oundviklig eller redan är ett faktum. Då finns det \
inte mycket kvar att göra. De flesta problem börjar i det lilla: sena ankomster, ett missförstånd om en \
arbetsuppgift, spänningar i arbetsgruppen, bekymmer hemma. I det läget gör ett samtal ofta hela skillnaden.

Ring därför jobbcoachen så snart något oroar er, hur litet det än verkar. Ni behöver inte vänta på en kris \
för att be om hjälp. Ett kort samtal tar fem minuter och kan rädda en anställning.""",
    "questions_and_answers": """\
Vad gör vi om vår nya medarbetare inte förstår en instruktion?
Förklara igen med enkla ord, visa hur det går till och låt medarbetaren göra det medan ni tittar på. \
Kontrollera att det har gått fram genom att be medarbetaren berätta vad hen ska göra, hellre än att fråga \
"Är det klart?". Skriftliga instruktioner med bilder hjälper också. Om missförstånden fortsätter, säg \
till jobbcoachen.

Hur bra talar vår nya medarbetare svenska?
De flesta vi stöttar håller fortfarande på att utveckla sin svenska. Oftast förstår de mer än de kan \
uttrycka. Tala lugnt, använd korta meningar och undvik fackuttryck och förkortningar. Språket utvecklas \
snabbast på jobbet, så ta gärna med er nya medarbetare i samtalen med kollegorna.

Vad gör vi vid frånvaro eller sena ankomster?
Tillämpa samma regler som för andra anställda, säg tydligt vad ni förväntar er - och meddela jobbcoachen. \
Upprepad frånvaro har ofta en orsak utanför jobbet, som barnomsorg eller resor, och där kan jobbcoachen \
hjälpa till.

Får vi fråga jobbcoachen om vår medarbetares privata situation?
Jobbcoachen berättar bara det som medarbetaren har godkänt. Om något hemma påverkar arbetet hjälper \
jobbcoachen till att hitta en lösning och berättar, med medarbetarens tillåtelse, det ni behöver veta.

Kostar samarbetet med jobbcoachen något?
Stödet är kostnadsfritt för arbetsgivare. Vissa anställningsstöd innebär överenskommelser om timmar eller \
rapportering; det förklarar jobbcoachen för er i förväg.

Vad händer om placeringen inte fungerar?
Prata först med jobbcoachen. Tillsammans ser vi vad som behövs. Om det ändå är bäst att avsluta \
placeringen hjälper vi medarbetaren vidare till nästa steg och frågar er vad vi kan lära oss av det.""",
    "employment_measures": """\
Beroende på er nya medarbetares situation och typen av anställning kan ni ha rätt till stöd, till exempel \
nystartsjobb, lönestöd, introduktionsjobb, praktik eller stöd till handledning. Vilka stöd som finns skiljer \
sig mellan länder och regioner och ändras över tid; i Sverige är det Arbetsförmedlingen som beslutar om dem.

Jobbcoachen går tillsammans med er igenom vilka stöd som passar just den här placeringen, hjälper er med \
ansökan och håller koll på villkoren, som tidsfrister och rapporter. Ett stöd är aldrig skälet till en \
placering: själva jobbet måste vara rätt.""",
    "administrative_help": """\
Att anställa någon som är ny i landet kan innebära extra pappersarbete. Jobbcoachen hjälper er nya \
medarbetare att ta fram det ni behöver för anställningen - identitetshandling, uppehålls- och \
arbetstillstånd när det krävs, personnummer eller samordningsnummer och ett bankkonto - och förklarar \
anställningsavtalet och lönebeskedet. Vi hjälper också er med blanketterna för anställningsstöd och, när \
det behövs, med ansökan om arbetstillstånd.""",
    "on_call": """\
Under kontorstid når ni jobbcoachen direkt på numret under viktiga kontakter. Om jobbcoachen inte kan \
svara kopplar vårt kontor er vidare till en kollega som känner till placeringen.

Utanför kontorstid finns vår jourtelefon för brådskande ärenden, till exempel om er medarbetare inte dyker \
upp och inte går att nå, eller efter en händelse på arbetsplatsen. För sådant som kan vänta lämnar ni ett \
meddelande eller skickar ett mejl, så hör vi av oss nästa arbetsdag.""",
    "confidentiality": """\
Jobbcoachen behandlar det som er nya medarbetare berättar konfidentiellt. Vi delar bara information med er \
när medarbetaren uttryckligen har samtyckt till det, eller när lagen kräver det. Det här paketet \
innehåller därför bara det som er medarbetare har valt att dela.

På samma sätt stannar det ni berättar för jobbcoachen om er verksamhet mellan er och oss. Vi nämner er \
inte som referens utan ert medgivande.""",
    "job_quality": """\
Vi samarbetar med arbetsgivare som erbjuder bra arbeten: ett riktigt anställningsavtal, korrekt lön och \
villkor, att arbetsgivaravgifter och försäkringar betalas och en säker och respektfull arbetsmiljö. Vi \
medverkar inte där det förekommer svartarbete, eller där personal byts ut gång på gång för att man ska \
fortsätta få anställningsstöd.

Vi frågar också om sådant som gör arbetet möjligt för dem vi stöttar, som arbetstider som går att \
kombinera med barnomsorg, flexibla arbetstider, rutiner mot trakasserier och hur lätt det är att ta sig \
till arbetsplatsen. Vi tänker gärna igenom det tillsammans med er.""",
    "no_promised_results": """\
Vi kan inte garantera att en placering lyckas. Varje människa och varje arbetsplats är olika, och \
resultatet beror på oss alla: er medarbetare, er och jobbcoachen. Det vi lovar är att vi förbereder \
placeringen noggrant, håller våra överenskommelser, svarar snabbt när ni ringer och är ärliga med vad som \
går bra och vad som inte gör det.""",
    "onboarding_plan": """\
Före start: kom överens med jobbcoachen om arbetsuppgifter, arbetstider, arbetskläder och programmet för första dagen
Utse en handledare och berätta för arbetsgruppen vem som börjar
Första dagen: välkomnande, rundvandring, presentation för kollegorna samt säkerhets- och ordningsregler
Första veckan: gå igenom de viktigaste arbetsuppgifterna steg för steg, låt er nya medarbetare öva och ge återkoppling i slutet av varje dag
Vecka två till fyra: utöka arbetsuppgifterna gradvis och bestäm en fast tid varje vecka med handledaren för frågor
Efter en månad: kort avstämning med medarbetaren, handledaren och jobbcoachen - vad fungerar, vad behöver uppmärksamhet
Efter tre månader: uppföljningsmöte på arbetsplatsen; kom överens om vilka uppgifter medarbetaren ska sköta självständigt
Efter sex månader: uppföljningsmöte och en blick framåt mot anställningsavtalet och den fortsatta utvecklingen""",
}

DEFAULT_PROFILE_TEXTS: dict[str, dict[str, str]] = {"en": _EN, "nl": _NL, "sv": _SV}
