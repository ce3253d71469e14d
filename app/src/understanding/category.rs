//! Expense categories and the words that point to them.

/// The contract's expense categories: the expenses domain's own type, so what the rules
/// understand is what an expense stores.
pub use crate::expenses::model::Category;

fn word_category(w: &str) -> Option<Category> {
    use Category::*;
    Some(match w {
        "food" | "pizza" | "sushi" | "lunch" | "dinner" | "breakfast" | "brunch" | "coffee"
        | "coffees" | "latte" | "tea" | "groceries" | "grocery" | "restaurant" | "burger"
        | "burgers" | "sandwich" | "sandwiches" | "takeout" | "takeaway" | "snack" | "snacks"
        | "cafe" | "starbucks" | "tacos" | "taco" | "pho" | "ramen" | "bagel" | "bagels"
        | "donut" | "donuts" | "meal" | "meals" | "bakery" | "salad" | "doordash" | "ubereats"
        | "mcdonalds" | "kfc" | "noodles" | "curry" | "burrito" | "chipotle" | "beer" | "beers"
        | "wine" | "drinks" | "pub" | "bar" | "supermarket" | "eating" | "dining" | "icecream"
        | "dessert" | "bread" | "milk" | "eggs" | "fruit" | "chocolate" | "smoothie" | "juice"
        | "pastry" | "croissant" | "thai" | "indian" | "chinese" | "chai" | "samosa"
        | "samosas" | "dosa" | "gum" | "candy" | "ham" => Food,
        "gas" | "fuel" | "petrol" | "diesel" | "uber" | "lyft" | "taxi" | "cab" | "bus"
        | "train" | "subway" | "metro" | "parking" | "toll" | "tolls" | "transit" | "presto"
        | "oyster" | "fare" | "fares" | "transport" | "transportation" | "carwash" | "oil"
        | "tires" | "tyres" | "mechanic" | "bike" | "scooter" | "tram" | "ferry" | "rickshaw" => {
            Transport
        }
        "shoes" | "shoe" | "clothes" | "clothing" | "shirt" | "shirts" | "jacket" | "coat"
        | "amazon" | "dress" | "jeans" | "pants" | "headphones" | "laptop" | "phone" | "gift"
        | "gifts" | "present" | "shopping" | "sneakers" | "boots" | "socks" | "furniture"
        | "ikea" | "books" | "book" | "toys" | "toy" | "electronics" | "charger" | "bag"
        | "watch" | "hoodie" | "sweater" | "makeup" | "mall" | "target" | "walmart" | "costco"
        | "shampoo" | "lamp" | "hardware" | "kettle" | "camera" | "lens" | "scrubs" => Shopping,
        "bill" | "bills" | "rent" | "hydro" | "electricity" | "electric" | "internet" | "wifi"
        | "insurance" | "utilities" | "utility" | "mortgage" | "water" | "heating"
        | "cellphone" | "tax" | "taxes" => Bills,
        "movie" | "movies" | "cinema" | "concert" | "netflix" | "spotify" | "game" | "games"
        | "theatre" | "theater" | "show" | "bowling" | "entertainment" | "museum" | "festival"
        | "karaoke" | "disney" | "hulu" | "steam" | "playstation" | "xbox" | "gig" | "arcade"
        | "comedy" => Entertainment,
        "pharmacy" | "copay" | "co-pay" | "doctor" | "dentist" | "meds" | "medicine"
        | "medication" | "prescription" | "physio" | "physiotherapy" | "therapy" | "therapist"
        | "vitamins" | "drugstore" | "clinic" | "health" | "chiropractor" | "optometrist"
        | "glasses" | "contacts" | "massage" | "gym" | "checkup" | "vet" | "chemist" => Health,
        "hotel" | "hotels" | "flight" | "flights" | "airbnb" | "plane" | "airfare" | "hostel"
        | "motel" | "luggage" | "travel" | "trip" | "vacation" | "holiday" | "resort"
        | "airline" | "visa" | "cruise" => Travel,
        "haircut" | "donation" | "donations" | "donated" | "donate" | "charity" | "barber"
        | "salon" | "other" | "misc" | "laundry" | "stamps" | "postage" | "tip" | "cleaners"
        | "drycleaning" | "tuition" | "cleaning" => Other,
        _ => return None,
    })
}

/// The category pointed to by any of `words` (lowercase), if one is.
///
/// A bill always wins ("gas bill" is Bills), and so does a gift to charity ("donated to the
/// food bank" is Other); "ticket" follows its neighbour
/// (train ticket: Transport, movie ticket: Entertainment, plane ticket: Travel).
pub fn lookup<'a>(words: impl IntoIterator<Item = &'a str>) -> Option<Category> {
    let mut first = None;
    for w in words {
        // "restaurants", "pizzas": the singular names the same thing.
        let c = word_category(w).or_else(|| {
            w.strip_suffix('s')
                .filter(|b| b.len() > 2)
                .and_then(word_category)
        });
        if c == Some(Category::Bills) && matches!(w, "bill" | "bills")
            || c == Some(Category::Other) && is_donation(w)
        {
            return c;
        }
        if first.is_none() {
            first = c;
        }
    }
    first
}

fn is_donation(w: &str) -> bool {
    matches!(
        w,
        "donation" | "donations" | "donated" | "donate" | "charity"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_examples() {
        assert_eq!(lookup(["gas"]), Some(Category::Transport));
        assert_eq!(lookup(["gas", "bill"]), Some(Category::Bills));
        assert_eq!(lookup(["copay"]), Some(Category::Health));
        assert_eq!(lookup(["haircut"]), Some(Category::Other));
        assert_eq!(lookup(["train", "ticket"]), Some(Category::Transport));
        assert_eq!(lookup(["movie", "tickets"]), Some(Category::Entertainment));
        assert_eq!(lookup(["donated", "food", "bank"]), Some(Category::Other));
        assert_eq!(lookup(["food", "bank", "donation"]), Some(Category::Other));
        assert_eq!(lookup(["widget"]), None);
    }
}
