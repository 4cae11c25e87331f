import _JSONShims

/// The keys of one JSON object that the format decisions look at, as the shim reports them: a bit per key
/// name the object has (whatever its value), and a few facts about values. The shim walks the object once
/// to build the set; `RecordShape` and `BodyShape` decide from it, so the rules are Swift that can be read
/// and tested with sets written by hand, no JSON needed.
///
/// The bit values are the C header's `RP_KEY_*` / `RP_FACT_*`, so a set crosses the boundary as its raw
/// `UInt64`. A repeated key counts once, with its first value (what a lookup would find).
struct JSONKeys: OptionSet, Sendable, Hashable {
    let rawValue: UInt64

    init(rawValue: UInt64) { self.rawValue = rawValue }
    private init(_ bit: Int) { rawValue = UInt64(bit) }

    // Envelope keys.
    static let customID = JSONKeys(RP_KEY_CUSTOM_ID)
    static let body = JSONKeys(RP_KEY_BODY)
    static let method = JSONKeys(RP_KEY_METHOD)
    static let url = JSONKeys(RP_KEY_URL)
    /// An envelope's response, and also an Ollama /api/generate body's generated text.
    static let response = JSONKeys(RP_KEY_RESPONSE)
    static let error = JSONKeys(RP_KEY_ERROR)
    static let request = JSONKeys(RP_KEY_REQUEST)
    static let messages = JSONKeys(RP_KEY_MESSAGES)

    // Response-body keys.
    static let choices = JSONKeys(RP_KEY_CHOICES)
    static let metaInfo = JSONKeys(RP_KEY_META_INFO)
    static let candidates = JSONKeys(RP_KEY_CANDIDATES)
    static let promptFeedback = JSONKeys(RP_KEY_PROMPT_FEEDBACK)
    static let object = JSONKeys(RP_KEY_OBJECT)
    static let output = JSONKeys(RP_KEY_OUTPUT)
    static let createdAt = JSONKeys(RP_KEY_CREATED_AT)
    static let done = JSONKeys(RP_KEY_DONE)
    static let message = JSONKeys(RP_KEY_MESSAGE)
    static let completionProbabilities = JSONKeys(RP_KEY_COMPLETION_PROBABILITIES)
    static let generationSettings = JSONKeys(RP_KEY_GENERATION_SETTINGS)
    static let tokensPredicted = JSONKeys(RP_KEY_TOKENS_PREDICTED)

    // Value facts; the shim sets each only together with its key.
    static let messagesIsArray = JSONKeys(RP_FACT_MESSAGES_IS_ARRAY)
    static let metaInfoIsObject = JSONKeys(RP_FACT_META_INFO_IS_OBJECT)
    /// `object` is the string "response".
    static let objectIsResponse = JSONKeys(RP_FACT_OBJECT_IS_RESPONSE)
    static let outputIsArray = JSONKeys(RP_FACT_OUTPUT_IS_ARRAY)
    static let createdAtIsString = JSONKeys(RP_FACT_CREATED_AT_IS_STRING)
}
