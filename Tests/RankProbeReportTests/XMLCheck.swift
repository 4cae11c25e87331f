import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses text as XML and returns the parser's error (nil when well-formed), plus the element names seen.
final class XMLCheck: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var text = ""
    var attributes: [String] = []

    static func check(_ document: String) -> (error: String?, check: XMLCheck) {
        let checker = XMLCheck()
        let parser = XMLParser(data: Data(document.utf8))
        parser.delegate = checker
        let ok = parser.parse()
        return (ok ? nil : "\(parser.parserError.map { "\($0)" } ?? "unknown") at line \(parser.lineNumber) col \(parser.columnNumber)", checker)
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                attributes attributeDict: [String: String] = [:]) {
        elements.append(elementName)
        attributes.append(contentsOf: attributeDict.values)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}
