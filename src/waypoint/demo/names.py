"""Built-in name lists for the demo district: common US given and family names by heritage.

Plain data, so a seed gives the same people on every machine and no extra package is needed.
"""

from __future__ import annotations

import random
import unicodedata

DOMAIN = "riverbend.example.org"  # reserved for examples (RFC 2606): no real mail is sent

GIVEN_FEMALE = (
    "Olivia Emma Ava Charlotte Sophia Amelia Isabella Mia Evelyn Harper Abigail Emily "
    "Elizabeth Ella Avery Scarlett Grace Chloe Lily Aubrey Zoey Hannah Nora Riley Addison "
    "Eleanor Natalie Leah Hazel Violet Aurora Savannah Audrey Brooklyn Bella Claire Skylar "
    "Lucy Paisley Anna Caroline Genesis Kennedy Kinsley Allison Maya Sarah Madelyn Adeline "
    "Alexa Ariana Elena Gabriella Naomi Alice Sadie Hailey Eva Emilia Autumn Quinn Piper "
    "Ruby Serenity Willow Everly Cora Kaylee Lydia Aubree Arianna Eliana Peyton Melanie "
    "Gianna Isla Julia Valentina Nevaeh Clara Vivian Reagan Mackenzie Madeline Brielle "
    "Delilah Josephine Jade Katherine Margaret Rose Molly Megan Jennifer Rachel Laura"
).split()

GIVEN_MALE = (
    "Liam Noah William James Oliver Benjamin Elijah Lucas Mason Logan Alexander Ethan Jacob "
    "Michael Daniel Henry Jackson Sebastian Aiden Matthew Samuel David Joseph Carter Owen "
    "Wyatt John Jack Luke Jayden Dylan Grayson Levi Isaac Gabriel Julian Anthony Jaxon "
    "Lincoln Joshua Christopher Andrew Theodore Caleb Ryan Asher Nathan Thomas Leo Isaiah "
    "Charles Josiah Hudson Christian Hunter Connor Eli Ezra Aaron Landon Adrian Jonathan "
    "Nolan Jeremiah Easton Elias Colton Cameron Carson Robert Angel Maverick Nicholas "
    "Dominic Jaxson Greyson Adam Ian Austin Santiago Jordan Cooper Brayden Roman Evan "
    "Ezekiel Xavier Jose Jace Jameson Leonardo Bryson Axel Everett Parker Kayden Miles"
).split()

GIVEN_FEMALE_HISPANIC = (
    "Sofía Valentina Camila Isabella Lucía Mariana Gabriela Daniela Victoria Natalia Ximena "
    "Valeria Andrea Paula Sara Regina Renata Fernanda Jimena Adriana Alejandra Carolina "
    "Catalina Emilia Elena Luciana Martina Julieta Ana Rosa Guadalupe Esperanza Araceli "
    "Yesenia Maribel Leticia Marisol Beatriz Juliana Abril"
).split()

GIVEN_MALE_HISPANIC = (
    "Santiago Mateo Sebastián Leonardo Matías Diego Emiliano Daniel Alejandro Nicolás "
    "Gabriel Samuel Tomás Lucas Adrián Joaquín Benjamín Iker Andrés Carlos Miguel Ángel "
    "José Juan Luis Jorge Javier Fernando Ricardo Eduardo Rafael Manuel Francisco Antonio "
    "Pablo Héctor Óscar Raúl Julián Cristian"
).split()

GIVEN_FEMALE_ASIAN = (
    "Mei Yuna Hana Ji-woo Seo-yeon Anh Linh Priya Ananya Aisha Mai Kim Lan Aiko Sakura "
    "Jasmine Grace Michelle Angela Tiffany Vivian Diya Ishita Nisha Hoa Thuy Min-ji Su-bin"
).split()

GIVEN_MALE_ASIAN = (
    "Wei Jun Hiroshi Kenji Min-jun Ji-ho Minh Tuan Arjun Rohan Vikram Aditya Ravi Kevin "
    "Jason Eric Brian Andrew Daniel Ryan Hao Bao Duc Haruto Sung-min Jae-won Vihaan Kabir"
).split()

FAMILY_GENERAL = (
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
    "Martin Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King "
    "Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips "
    "Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper "
    "Peterson Bailey Reed Kelly Howard Cox Ward Richardson Watson Brooks Wood James Bennett "
    "Gray Hughes Price Sanders Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan "
    "Bell Coleman Butler Henderson Barnes Fisher Simmons Graham Wallace Hamilton Ellis "
    "McDonald Olson Schmidt Meyer Hansen Larson Weber Novak Kowalski Schneider Fischer"
).split()

FAMILY_BLACK = (
    "Washington Jefferson Jackson Johnson Williams Brown Jones Davis Robinson Harris Thomas "
    "Walker Moore Taylor Banks Booker Freeman Mosley Dorsey Gaines Haynes Battle Bryant "
    "Coleman Simmons Wallace Hayes Alexander Grant Holmes Jenkins Pierce Warren Joseph "
    "Okafor Mensah Diallo Adeyemi Mbeki Nwosu"
).split()

FAMILY_HISPANIC = (
    "García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores "
    "Rivera Gómez Díaz Reyes Cruz Morales Ortiz Gutiérrez Chávez Ramos Ruiz Mendoza Álvarez "
    "Castillo Jiménez Vásquez Romero Herrera Medina Aguilar Vargas Castro Guerrero Delgado "
    "Ortega Navarro Soto Contreras Domínguez Salazar Vega Ríos Fuentes Cabrera Campos"
).split()

FAMILY_ASIAN = (
    "Nguyen Tran Le Pham Chen Wang Li Zhang Liu Yang Huang Wu Lin Kim Lee Park Choi Jung "
    "Kang Patel Shah Singh Kumar Gupta Sharma Reddy Rao Santos Reyes Cruz Tanaka Sato "
    "Suzuki Yamamoto Watanabe Chung Ho Vu Do Hoang"
).split()

FAMILY_NATIVE = (
    "Begay Yazzie Benally Tsosie Nez Harjo Tso Deschenie Whitehorse Runningwater Redcloud "
    "Littlewolf Silversmith Goodluck Jim Chee Bowman Chavis Locklear Oxendine"
).split()

FAMILY_PACIFIC = (
    "Kahananui Kealoha Akana Kamakau Palakiko Tuiasosopo Fonoti Tupou Taufa Leota Fifita "
    "Soliai Mahoe Kaleikini"
).split()

PLACES = (
    "Cedar Maple Oak Willow Aspen Birch Pine Juniper Magnolia Sycamore Hawthorn Laurel "
    "Chestnut Cypress Alder Linden Redwood Spruce Elm Hickory Riverside Lakeview Brookside "
    "Meadow Prairie Canyon Harbor Summit Bayview Fairview Highland Stonebridge Sunset "
    "Northgate Eastwood Westfield Southport Clearwater Silverlake Goldendale Pioneer "
    "Heritage Liberty Franklin Lincoln Roosevelt Jefferson Hamilton Douglass Tubman Chavez "
    "Carver Parks Banneker Sequoyah Earhart Curie Mann Dewey Bethune Ochoa Kahlo Rivera"
).split()

PLACE_SUFFIXES = ("", "Ridge", "Park", "Creek", "Hills", "Grove", "Valley", "Springs", "Heights")

_FAMILY_BY_HERITAGE = {
    "white": FAMILY_GENERAL,
    "black": FAMILY_BLACK,
    "hispanic": FAMILY_HISPANIC,
    "asian": FAMILY_ASIAN,
    "native": FAMILY_NATIVE,
    "pacific": FAMILY_PACIFIC,
    "multi": FAMILY_GENERAL + FAMILY_BLACK + FAMILY_HISPANIC + FAMILY_ASIAN,
    "unknown": FAMILY_GENERAL,
}


def family_name(rng: random.Random, heritage: str) -> str:
    """A family name fitting the family's heritage (some families carry a general name)."""
    if heritage not in ("white", "unknown") and rng.random() < 0.15:
        return rng.choice(FAMILY_GENERAL)
    return rng.choice(_FAMILY_BY_HERITAGE.get(heritage, FAMILY_GENERAL))


def given_name(rng: random.Random, female: bool, heritage: str) -> str:
    """A given name for the gender and heritage, mixed with common US names."""
    roll = rng.random()
    if heritage == "hispanic" and roll < 0.6:
        return rng.choice(GIVEN_FEMALE_HISPANIC if female else GIVEN_MALE_HISPANIC)
    if heritage == "asian" and roll < 0.5:
        return rng.choice(GIVEN_FEMALE_ASIAN if female else GIVEN_MALE_ASIAN)
    return rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)


def school_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct place names for schools, in a seeded order."""
    names = [f"{p} {s}".strip() for s in PLACE_SUFFIXES for p in PLACES]
    first = names[: len(PLACES)]
    rest = names[len(PLACES) :]
    rng.shuffle(first)
    rng.shuffle(rest)
    names = first + rest
    while len(names) < count:  # very large districts: number the rest
        names.append(f"{PLACES[len(names) % len(PLACES)]} No. {len(names) // len(PLACES)}")
    return names[:count]


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters only, for e-mail addresses ("Hernández" -> "hernandez")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())
