package digest

import (
	_ "embed"
	"strconv"
	"strings"
	"sync"
)

// afinnData is the AFINN-165 word list (see afinn165.tsv for its source).
//
//go:embed afinn165.tsv
var afinnData string

// afinn returns the AFINN-165 valences, read once, scaled to the range of
// the project's own list.
var afinn = sync.OnceValue(func() map[string]float32 {
	m := make(map[string]float32, 3400)
	for _, line := range strings.Split(afinnData, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		word, v, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			continue
		}
		m[word] = float32(n) * afinnScale
	}
	return m
})

// afinnScale maps AFINN's -5..+5 onto the -3..+3 of the list below.
const afinnScale = 0.6

// wordValence is the valence of a lower-case word: the project's own list
// first, AFINN-165 for the rest.
func wordValence(w string) float32 {
	if v, ok := valence[w]; ok {
		return v
	}
	return afinn()[w]
}

// The word lists below are the project's own: the valence of common English
// evaluative words as they are used in comments about a company, a policy or
// a person, on a scale of -3 (strongly against) to +3 (strongly for). They are
// read-only after initialisation.

// valence scores evaluative words. Stance verbs ("ban", "support") count as
// evaluative: "ban Huawei" is against Huawei.
var valence = map[string]float32{
	// for
	"good": 1.5, "great": 2, "excellent": 2.5, "best": 2, "better": 1.2,
	"fine": 0.8, "nice": 1.2, "right": 0.8, "correct": 1, "true": 0.5,
	"smart": 1.5, "wise": 1.5, "brilliant": 2.5, "fair": 1, "fairly": 0.5,
	"honest": 1.8, "trust": 1.5, "trusted": 1.5, "trustworthy": 2,
	"reliable": 1.5, "safe": 1.3, "secure": 1.3, "safer": 1, "protect": 1,
	"protects": 1, "support": 1.8, "supports": 1.5, "supported": 1.2,
	"supporting": 1.2, "supporter": 1, "favor": 1.2, "favour": 1.2,
	"favors": 1, "approve": 1.5, "approved": 1, "agree": 1, "praise": 2,
	"applaud": 2, "welcome": 1.5, "welcomed": 1.2, "benefit": 1.3,
	"benefits": 1.3, "beneficial": 1.5, "helpful": 1.5, "help": 0.8,
	"helps": 1, "helped": 0.8, "useful": 1.3, "valuable": 1.5, "value": 0.6,
	"success": 1.8, "successful": 1.8, "succeed": 1.5, "win": 1.3,
	"wins": 1.3, "winning": 1.2, "won": 1, "improve": 1.2, "improved": 1.2,
	"improves": 1.2, "improvement": 1.3, "progress": 1.2, "efficient": 1.3,
	"effective": 1.5, "affordable": 1.2, "cheaper": 0.8, "cheap": 0.4,
	"innovative": 1.8, "innovation": 1.2, "leader": 1, "leading": 0.8,
	"strong": 1, "stronger": 0.8, "strength": 1, "love": 2.2, "loved": 2,
	"loves": 2, "like": 0, "liked": 1, "enjoy": 1.5, "happy": 1.8,
	"glad": 1.5, "hope": 0.8, "hopeful": 1.2, "admire": 2, "respect": 1.5,
	"respected": 1.5, "thank": 1.5, "thanks": 1.3, "grateful": 1.8,
	"legitimate": 1.2, "legal": 0.8, "justified": 1.3, "deserve": 0.8,
	"deserves": 0.8, "reasonable": 1.2, "sensible": 1.5, "necessary": 1,
	"essential": 1.2, "important": 0.8, "positive": 1.3, "perfect": 2,
	"wonderful": 2.5, "amazing": 2.3, "fantastic": 2.5, "awesome": 2.2,
	"impressive": 2, "competent": 1.5, "capable": 1.2, "qualified": 1.2,
	"peaceful": 1.3, "free": 0.6, "freedom": 1, "opportunity": 1,
	"prosper": 1.5, "prosperity": 1.5, "growth": 1, "boost": 1.2,
	"defend": 1.2, "defends": 1.2, "defended": 1, "backed": 0.8, "back": 0,
	"endorse": 1.8, "endorsed": 1.5, "recommend": 1.5, "credible": 1.5,
	"accurate": 1.2, "clean": 0.8, "healthy": 1.3, "heroic": 2, "hero": 2,
	"courageous": 2, "brave": 1.8, "genius": 2, "integrity": 1.8,
	"transparent": 1.3, "accountable": 0.8, "decent": 1.2, "kind": 1.2,
	"generous": 1.8, "benefited": 1.2, "thrive": 1.5, "rights": 0.5,
	"worked": 1, "works": 0.8, "working": 0.5,

	// against
	// How comments run down a service or an organisation…
	"late": -0.8, "slow": -0.8, "crowded": -1, "antiquated": -1.5, "outdated": -1.2,
	"mismanagement": -2.2, "mismanaged": -2.2, "overpaid": -1.8, "bureaucracy": -1.2,
	"bureaucratic": -1.5, "patronage": -1.5, "decrepit": -2, "crumbling": -1.8, "overpriced": -1.8,
	// …and a public figure's character.
	"narcissist": -2.5, "narcissistic": -2.5, "psychopath": -3, "sociopath": -3, "unhinged": -2.5,
	"conman": -2.5, "autocrat": -2.2, "autocratic": -2.2, "tyrant": -2.5, "bigot": -2.5,
	"bigoted": -2.5, "traitor": -3, "crook": -2.5, "clown": -2, "buffoon": -2.2,
	"vindictive": -2, "petty": -1.8, "thin-skinned": -1.8, "whiny": -1.8, "tantrum": -1.8,
	"tantrums": -1.8, "toddler": -1, "malignant": -2.5, "demagogue": -2.5, "grifter": -2.5,
	"shameless": -2.2, "despicable": -2.8, "deplorable": -2.5, "ego": -1, "egotistical": -2,
	"self-serving": -2, "incurious": -1.5, "oblivious": -1.5,
	"bad": -1.5, "worse": -1.8, "worst": -2.5, "terrible": -2.5,
	"horrible": -2.5, "awful": -2.3, "poor": -1.2, "wrong": -1.5,
	"false": -1.2, "lie": -2, "lies": -2, "lied": -2, "lying": -2,
	"liar": -2.5, "liars": -2.5, "dishonest": -2.2, "corrupt": -2.5,
	"corruption": -2.2, "fraud": -2.5, "fraudulent": -2.5, "scam": -2.5,
	"cheat": -2, "cheating": -2, "steal": -2, "stealing": -2, "stole": -2,
	"theft": -2, "spy": -1.8, "spying": -2, "spies": -1.8, "espionage": -2,
	"surveillance": -1.3, "threat": -1.8, "threats": -1.6,
	"threatens": -1.6, "dangerous": -2, "danger": -1.8, "risk": -1.2,
	"risks": -1.2, "risky": -1.5, "unsafe": -1.8, "insecure": -1.5,
	"vulnerable": -1.2, "ban": -1.8, "banned": -1.5, "banning": -1.5,
	"bans": -1.3, "boycott": -2, "reject": -1.8, "rejected": -1.5,
	"oppose": -1.8, "opposed": -1.5, "opposes": -1.5, "against": -1,
	"stop": -1, "block": -1.2, "blocked": -1, "abolish": -1.8,
	"scrap": -1.5, "distrust": -2, "mistrust": -2, "untrustworthy": -2.3,
	"unreliable": -1.8, "fail": -1.8, "failed": -1.8, "fails": -1.6,
	"failure": -2, "failing": -1.6, "disaster": -2.5, "disastrous": -2.5,
	"mess": -1.5, "chaos": -1.8, "crisis": -1.5, "problem": -1,
	"problems": -1, "problematic": -1.3, "harm": -1.8, "harmful": -2,
	"hurt": -1.5, "hurts": -1.5, "damage": -1.6, "damaging": -1.8,
	"destroy": -2.2, "destroying": -2.2, "destroyed": -2, "ruin": -2,
	"ruined": -2, "kill": -2, "kills": -2, "killed": -1.8, "killing": -2,
	"stupid": -2, "idiot": -2.3, "idiots": -2.3, "idiotic": -2.3,
	"dumb": -1.8, "foolish": -1.8, "ignorant": -1.8, "incompetent": -2.2,
	"ridiculous": -1.8, "absurd": -1.8, "nonsense": -1.8, "rubbish": -1.8,
	"garbage": -2, "crap": -2, "shameful": -2.2, "shame": -1.8,
	"disgrace": -2.3, "disgraceful": -2.5, "disgusting": -2.5,
	"outrageous": -2, "evil": -2.5, "immoral": -2.2, "unfair": -1.8,
	"unjust": -2, "illegal": -1.8, "criminal": -2.2, "crime": -1.8,
	"crimes": -1.8, "abuse": -2.2, "abuses": -2, "exploit": -1.5,
	"exploitation": -2, "greed": -2, "greedy": -2, "selfish": -1.8,
	"hypocrisy": -2, "hypocrite": -2, "hypocritical": -2,
	"authoritarian": -2, "dictator": -2.2, "dictatorship": -2.2,
	"regime": -1.2, "propaganda": -1.8, "censorship": -1.8,
	"oppression": -2.2, "oppressive": -2.2, "racist": -2.5, "racism": -2.2,
	"hate": -2.2, "hated": -2, "hates": -2, "dislike": -1.5, "fear": -1.3,
	"afraid": -1.3, "worried": -1.2, "worry": -1.1, "concern": -0.8,
	"concerns": -0.8, "concerned": -0.8, "suspicious": -1.5,
	"questionable": -1.3, "dubious": -1.5, "naive": -1.3, "blind": -0.8,
	"weak": -1.2, "weakness": -1.2, "expensive": -0.8, "costly": -1,
	"waste": -1.8, "wasteful": -1.8, "useless": -2, "pointless": -1.8,
	"worthless": -2.2, "pathetic": -2.2, "sad": -1.2, "angry": -1.5,
	"outrage": -1.8, "scandal": -2, "blame": -1.5, "blamed": -1.3,
	"guilty": -1.8, "punish": -1.2, "sanction": -1, "sanctions": -0.8,
	"tariff": -0.5, "tariffs": -0.5, "lose": -1.2, "losing": -1.2,
	"lost": -1, "loss": -1.2, "losses": -1.2, "decline": -1, "collapse": -2,
	"broken": -1.3, "flawed": -1.5, "misleading": -1.8, "fake": -1.8,
	"hoax": -2, "conspiracy": -1, "manipulate": -1.8, "manipulation": -1.8,
	"backdoor": -1.8, "backdoors": -1.8, "hack": -1.3, "hacked": -1.5,
	"hacking": -1.5, "steals": -2, "unacceptable": -2, "irresponsible": -2,
	"reckless": -2, "toxic": -2, "pollution": -1.3, "deadly": -2,
	"violent": -1.8, "violence": -1.8, "terror": -2, "terrorist": -2.2,
	"war": -1.2, "attack": -1.3, "attacks": -1.3, "ugly": -1.8,
	"mistake": -1.5, "mistakes": -1.5, "error": -1, "deny": -0.8,
	"denied": -0.8, "refuse": -0.8, "refused": -0.8, "dangerously": -2,
	"sucks": -2, "suck": -1.8, "awfully": -1.2, "bully": -1.8,
	"bullying": -2, "threatening": -1.8, "biased": -1.5, "bias": -1.3,
	"unfit": -2, "unqualified": -1.8, "inept": -2, "clueless": -1.8,
	"pandering": -1.5, "overrated": -1.3, "doubt": -1, "doubts": -1,
	"skeptical": -1, "sceptical": -1, "unconstitutional": -2,
	"ineffective": -1.8, "inefficient": -1.5, "harmed": -1.5,
	"impeach": -1.5, "resign": -1, "fired": -1, "cost": -0.6, "costs": -0.6,
	"retaliate": -1.5, "retaliation": -1.5, "retaliates": -1.5, "delay": -1,
	"delays": -1, "dependence": -1, "dependent": -0.8, "overblown": -1.5,
}

// actions are verbs and nouns of doing something to the target: against it
// (-1: "ban Huawei", "repeal the law") or for it (+1: "keep the law"). A
// sentence that names such an action on the target takes the action's side,
// reversed when it rejects the action ("banning Huawei would be a mistake",
// "we should not ban Huawei").
var actions = map[string]float32{
	"ban": -1, "bans": -1, "banned": -1, "banning": -1, "boycott": -1,
	"boycotting": -1, "exclude": -1, "excluding": -1, "exclusion": -1,
	"block": -1, "blocking": -1, "restrict": -1, "restricting": -1,
	"restriction": -1, "restrictions": -1, "prohibit": -1, "prohibiting": -1,
	"prohibition": -1, "outlaw": -1, "outlawing": -1, "abolish": -1,
	"abolishing": -1, "abolition": -1, "scrap": -1, "scrapping": -1,
	"repeal": -1, "repealing": -1, "remove": -1, "removing": -1, "rip": -1,
	"ripping": -1, "shut": -1, "stop": -1, "stopping": -1, "end": -1,
	"ending": -1, "eliminate": -1, "eliminating": -1, "oppose": -1,
	"opposing": -1, "reject": -1, "rejecting": -1, "limit": -1,
	"limiting": -1, "curb": -1, "curbing": -1, "sanction": -1,
	"sanctioning": -1, "punish": -1, "punishing": -1, "drop": -1,
	"dropping": -1, "kick": -1, "kicking": -1, "expel": -1, "impeach": -1,
	"impeaching": -1, "fire": -1, "firing": -1, "tax": -0.5, "taxing": -0.5,
	"support": 1, "supporting": 1, "allow": 1, "allowing": 1, "permit": 1,
	"permitting": 1, "legalize": 1, "legalizing": 1, "legalise": 1,
	"legalising": 1, "keep": 1, "keeping": 1, "protect": 1, "protecting": 1,
	"defend": 1, "defending": 1, "expand": 1, "expanding": 1, "extend": 1,
	"extending": 1, "fund": 1, "funding": 1, "subsidize": 1,
	"subsidizing": 1, "subsidise": 1, "adopt": 1, "adopting": 1, "buy": 1,
	"buying": 1, "choose": 1, "choosing": 1, "embrace": 1, "embracing": 1,
	"welcome": 1, "welcoming": 1, "trust": 1, "trusting": 1, "elect": 1,
	"electing": 1, "reelect": 1, "promote": 1, "promoting": 1, "encourage": 1,
	"encouraging": 1, "increase": 0.5, "increasing": 0.5, "mandate": 1,
	"mandating": 1, "require": 0.5, "requiring": 0.5, "against": -1,
	"let": 1, "letting": 1, "excluded": -1, "phase": -1,
	"phasing": -1, "replace": -1, "replacing": -1,
}

// bareActions are actions that, in a thread about the target, are actions
// on it even when the sentence does not name it ("a ban would cost
// billions").
var bareActions = map[string]bool{
	"ban": true, "bans": true, "banning": true, "boycott": true,
	"boycotting": true, "exclusion": true, "excluding": true,
	"blacklist": true, "blacklisting": true, "prohibition": true,
	"embargo": true,
}

// conditionals open a clause that supposes rather than asserts.
var conditionals = map[string]bool{"if": true, "whether": true, "unless": true}

// actionReach is how many tokens before a mention of the target an action
// word may stand ("ban the sale of violent video games": five).
const actionReach = 5

// reversers turn the valence of what follows them around: preventing,
// reducing or fighting something bad is good ("condoms prevent infections",
// "it reduces the risk"), and cutting something good is bad. They carry no
// valence of their own.
var reversers = map[string]bool{
	"prevent": true, "prevents": true, "prevented": true, "preventing": true,
	"reduce": true, "reduces": true, "reduced": true, "reducing": true,
	"lower": true, "lowers": true, "lowering": true, "decrease": true,
	"decreases": true, "cut": true, "cuts": true, "cutting": true,
	"avoid": true, "avoids": true, "avoiding": true, "fight": true,
	"fights": true, "fighting": true, "combat": true, "combats": true,
	"combating": true, "tackle": true, "tackles": true, "tackling": true,
	"against": true, "curb": true, "curbs": true, "eliminate": true,
	"eliminates": true, "minimize": true, "minimise": true, "mitigate": true,
	"mitigates": true, "alleviate": true, "alleviates": true, "ease": true,
	"eases": true, "overcome": true, "overcomes": true, "solve": true,
	"solves": true, "cure": true, "cures": true, "end": true, "ends": true,
	"ending": true, "stop": true, "stops": true, "stopping": true,
	"protect": true, "protects": true, "protection": true, "resist": true,
	"defeat": true, "lessen": true, "limit": true, "limits": true,
	"limiting": true, "counter": true, "counters": true, "deter": true,
	"deters": true, "fix": true, "fixes": true, "address": true,
}

// contrastWords shift weight to what follows them: "X is cheap, but it spies".
var contrastWords = map[string]bool{"but": true, "however": true, "yet": true, "though": true}

// intensifiers strengthen the next evaluative word.
var intensifiers = map[string]float32{
	"very": 1.3, "really": 1.2, "so": 1.2, "extremely": 1.5, "absolutely": 1.4,
	"totally": 1.3, "completely": 1.3, "utterly": 1.5, "incredibly": 1.4,
	"truly": 1.2, "highly": 1.3, "deeply": 1.3, "most": 1.1, "quite": 1.1,
}
