/**
 * English stopwords for keyword extraction: function words, contractions written without their
 * apostrophe (the tokenizer joins "don't" into "dont"), and the filler of product reviews and
 * chat ("great", "product", "really", "thanks") that would otherwise top every cluster.
 */

const FUNCTION_WORDS = `
a about above across after afterwards again against all almost alone along already also although always am among
amongst an and another any anyhow anyone anything anyway anywhere are around as at back be became because become
becomes becoming been before beforehand behind being below beside besides between beyond both but by can cannot
could did do does doing done down due during each either else elsewhere enough etc even ever every everyone
everything everywhere except few for former formerly from further had has have having he hence her here hereafter
hereby herein hers herself him himself his how however i if in indeed instead into is it its itself just
latter latterly least less many may me meanwhile might mine more moreover most mostly much must my myself namely
neither never nevertheless next no nobody none noone nor not nothing now nowhere of off often on once one only onto
or other others otherwise our ours ourselves out over own per perhaps please rather same several she should since
so some somehow someone something sometime sometimes somewhere still such than that the their theirs them themselves
then thence there thereafter thereby therefore therein thereupon these they this those though through throughout
thru thus to together too toward towards under until up upon us very via was we were what whatever when whence
whenever where whereafter whereas whereby wherein whereupon wherever whether which while whither who whoever whole
whom whose why will with within without would yet you your yours yourself yourselves
`;

const CONTRACTIONS = `
aint arent cant couldnt didnt doesnt dont hadnt hasnt havent hes id ill im isnt itd itll ive lets mustnt shant shed
shell shes shouldnt thats theres theyd theyll theyre theyve wasnt wed well were weve werent whats whos wont wouldnt
youd youll youre youve
`;

const FILLER = `
actually again also anyway awesome bad best better bit bought buy buying came come comes day days definitely does
doesn excellent fine get gets getting give given go goes going good got great happy highly item items just know
like liked little lot lots love loved make makes making new nice ok okay one ones overall pretty product products
purchase purchased quite really recommend recommended review reviews right said say says see seems seem sure star
stars take thank thanks thing things think time times tried try use used useful uses using want wanted way work
worked working works worth yes
`;

/** The default stopword set (lowercase). */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  `${FUNCTION_WORDS} ${CONTRACTIONS} ${FILLER}`.split(/\s+/).filter((w) => w.length > 0),
);
