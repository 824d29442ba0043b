public import DragnetCore

/// Maps a form field to a personal-data category: its `autocomplete` tokens
/// first (the HTML standard's autofill names), then its type, then
/// multilingual patterns over its name and id, its label, and its placeholder
/// (English, German, French, Spanish, Italian, Portuguese and Dutch).
public enum FieldClassifier {
    public static func classify(_ field: FormField) -> (DataCategory, String) {
        if let autocomplete = field.autocomplete, let category = fromAutocomplete(autocomplete) {
            return (category, "autocomplete")
        }
        let type = field.type?.lowercased()
        switch type {
        case "email": return (.email, "type")
        case "tel": return (.phone, "type")
        case "password": return (.password, "type")
        case "hidden": return (.hidden, "type")
        default: break
        }
        let identifiers = [field.name, field.id].compactMap { $0 }.joined(separator: " ")
        if let category = fromText(identifiers) { return (category, "name") }
        if let label = field.label, let category = fromText(label) { return (category, "label") }
        if let placeholder = field.placeholder, let category = fromText(placeholder) { return (category, "placeholder") }
        if field.element == "textarea" { return (.freeText, "element") }
        if type == "date", identifiers.isEmpty == false, fromText(identifiers) == .birthDate { return (.birthDate, "name") }
        return (.other, "default")
    }

    /// Autofill field names (HTML Living Standard §4.10.18.7.1); section, shipping/billing
    /// and home/work/mobile tokens are skipped; `on`/`off` decide nothing.
    static func fromAutocomplete(_ value: String) -> DataCategory? {
        for token in value.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).reversed() {
            switch token {
            case "email": return .email
            case "tel", "tel-country-code", "tel-national", "tel-area-code", "tel-local", "tel-local-prefix",
                "tel-local-suffix", "tel-extension":
                return .phone
            case "name", "honorific-prefix", "given-name", "additional-name", "family-name", "honorific-suffix", "nickname":
                return .name
            case "street-address", "address-line1", "address-line2", "address-line3", "address-level1", "address-level2",
                "address-level3", "address-level4", "country", "country-name", "postal-code":
                return .postalAddress
            case "bday", "bday-day", "bday-month", "bday-year": return .birthDate
            case "current-password", "new-password": return .password
            case "cc-name", "cc-given-name", "cc-additional-name", "cc-family-name", "cc-number", "cc-exp",
                "cc-exp-month", "cc-exp-year", "cc-csc", "cc-type":
                return .paymentCard
            case "username", "organization", "organization-title", "sex", "url", "photo", "language",
                "one-time-code", "transaction-amount", "transaction-currency", "impp":
                return .other
            default: continue
            }
        }
        return nil
    }

    /// Ordered: the first rule whose words appear wins (so `e-mail` is email before `mail`
    /// could match anything else, and `username` never counts as a name).
    private static let rules: [(DataCategory, [String])] = [
        (.password, ["password", "passwort", "passwd", "pwd", "mot de passe", "motdepasse", "contraseña", "contrasena",
                     "wachtwoord", "senha", "kennwort"]),
        (.paymentCard, ["cardnumber", "card number", "card_number", "card-number", "ccnum", "cc-num", "cc_number",
                        "creditcard", "credit card", "cvv", "cvc", "csc", "security code", "kreditkarte", "kartennummer",
                        "carte bancaire", "numéro de carte", "tarjeta", "carta di credito", "cartão", "cartao", "kaartnummer",
                        "iban", "expiry", "exp-date", "expiration"]),
        (.governmentID, ["ssn", "social security", "social-security", "passport", "reisepass", "passeport", "pasaporte",
                         "passaporto", "passaporte", "national id", "national-id", "nationalid", "tax id", "tax-id", "taxid",
                         "dni", "nif", "nie", "codice fiscale", "codicefiscale", "cpf", "bsn", "personalausweis",
                         "steuer-id", "steuernummer", "numéro fiscal", "identity number", "id number"]),
        (.health, ["health", "medical", "diagnos", "allerg", "symptom", "medication", "gesundheit", "krankheit",
                   "santé", "sante", "médical", "salud", "médico", "salute", "medico", "saúde", "gezondheid", "medisch"]),
        (.email, ["email", "e-mail", "e_mail", "courriel", "correo", "posta elettronica", "mail"]),
        (.phone, ["phone", "telephone", "telefon", "telefono", "teléfono", "téléphone", "telefone", "mobile", "mobil",
                  "cellphone", "cell", "handy", "portable", "celular", "cellulare", "gsm", "tel"]),
        (.birthDate, ["birth", "bday", "dob", "geburt", "naissance", "nacimiento", "nascita", "nascimento", "geboorte"]),
        (.postalAddress, ["address", "street", "city", "zip", "postal", "postcode", "post code", "plz", "adresse",
                          "straße", "strasse", "wohnort", "ville", "code postal", "dirección", "direccion", "calle",
                          "ciudad", "código postal", "indirizzo", "città", "citta", "endereço", "endereco", "cidade",
                          "cep", "adres", "straat", "woonplaats", "country", "province", "region"]),
        (.other, ["username", "user name", "user_name", "login", "company", "firma", "entreprise", "empresa", "azienda",
                  "bedrijf", "search", "suche", "recherche", "buscar", "cerca", "pesquisa", "zoeken", "coupon", "captcha",
                  "csrf", "token", "subject"]),
        (.name, ["firstname", "first name", "first_name", "first-name", "lastname", "last name", "last_name", "last-name",
                 "fullname", "full name", "full_name", "surname", "fname", "lname", "vorname", "nachname", "prénom",
                 "prenom", "nom", "nombre", "apellido", "cognome", "nome", "sobrenome", "voornaam", "achternaam",
                 "your name", "name"]),
        (.freeText, ["message", "comment", "nachricht", "kommentar", "anmerkung", "commentaire", "mensaje",
                     "comentario", "messaggio", "commento", "mensagem", "bericht", "opmerking", "question", "feedback",
                     "inquiry", "enquiry", "anfrage"]),
    ]

    static func fromText(_ text: String) -> DataCategory? {
        let lowered = text.lowercased()
        guard !lowered.isEmpty else { return nil }
        for (category, words) in rules {
            for word in words where contains(lowered, word) {
                return category
            }
        }
        return nil
    }

    /// `word` occurs in `text`; short words (≤ 4 letters) must stand alone
    /// (between non-letters), so `tel` matches `tel` or `phone_tel` but not `hotel`.
    private static func contains(_ text: String, _ word: String) -> Bool {
        guard word.utf8.count <= 4 else { return text.containsBytes(word) }
        let bytes = Array(text.utf8)
        var start = 0
        while let offset = text.firstByteOffset(of: word, from: start) {
            let end = offset + word.utf8.count
            let before = offset > 0 ? bytes[offset - 1] : 0x20
            let after = end < bytes.count ? bytes[end] : 0x20
            if !isLetter(before) && !isLetter(after) { return true }
            start = offset + 1
        }
        return false
    }

    /// ASCII letters and any non-ASCII byte (letters of other scripts).
    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte >= 0x80
    }
}
