/**
 * 48 short real sentences in four topics for the browser tests: few enough that the real encoder
 * embeds them in about a second, distinct enough that k-means with k=4 finds the topics. Each has
 * its topic (the gold label) and a `source` to slice a head's metrics by.
 */
const TOPICS: Record<string, string[]> = {
  battery: [
    'The phone battery lasts all day even with heavy use.',
    'My laptop battery drains in two hours, which is disappointing.',
    'This power bank charges my phone three times over.',
    'The tablet takes forever to charge with the included cable.',
    'Battery life on this smartwatch is about five days.',
    'After the update the phone battery dies by noon.',
    'The charger gets very hot while charging the laptop.',
    'A spare battery pack saved me on the long trip.',
    'The wireless earbuds hold a charge for eight hours.',
    'Fast charging fills the battery to half in twenty minutes.',
    'The camera battery runs out after about two hundred photos.',
    'I replaced the old battery and the phone works like new.',
  ],
  kitchen: [
    'This blender crushes ice in seconds and makes great smoothies.',
    'The frying pan is non-stick and easy to clean.',
    'My coffee maker started leaking water after a month.',
    'The chef knife stays sharp and cuts tomatoes cleanly.',
    'The toaster burns one side of the bread every time.',
    'This slow cooker makes tender stew while I am at work.',
    'The kettle boils water quickly and shuts off by itself.',
    'The mixing bowls nest together and save cupboard space.',
    'The oven mitts are thick enough to hold a hot casserole.',
    'Our dishwasher leaves spots on every glass.',
    'The rice cooker makes perfect rice with no effort.',
    'The cutting board warped after a few washes.',
  ],
  travel: [
    'Our flight was delayed for six hours at the airport.',
    'The hotel room had a beautiful view of the beach.',
    'The train from Paris to Lyon was fast and comfortable.',
    'We lost our luggage on the connecting flight to Rome.',
    'The airline upgraded us to business class for free.',
    'Booking the rental car at the airport took an hour.',
    'The cruise ship stopped at five islands in a week.',
    'Our passports were checked twice before boarding the plane.',
    'The hostel was cheap, clean and close to the station.',
    'We missed the last bus back to the city centre.',
    'The tour guide showed us the old town and the castle.',
    'Jet lag kept me awake for three nights after the trip.',
  ],
  books: [
    'The novel has a gripping plot and memorable characters.',
    'I could not put this mystery book down until the last page.',
    'The biography of the composer is well researched.',
    'This fantasy series gets better with every volume.',
    'The poems in this collection are short and moving.',
    'The author writes dialogue that feels natural.',
    'The history book explains the war in clear chapters.',
    'The ending of the thriller was predictable.',
    'This cookbook of family recipes is a pleasure to read.',
    'The science fiction story imagines life on Mars.',
    'The translation of the classic novel reads smoothly.',
    'The children loved the illustrated picture book.',
  ],
};

export interface FixtureDocument {
  id: string;
  text: string;
  metadata: { gold: string; source: string };
}

export const DOCUMENTS: FixtureDocument[] = Object.entries(TOPICS).flatMap(([topic, texts]) =>
  texts.map((text, i) => ({ id: `${topic}-${i}`, text, metadata: { gold: topic, source: i % 2 === 0 ? 'web' : 'store' } })),
);
