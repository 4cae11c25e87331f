/// The page frame shared by the one-model report and the batch index: doctype, inline CSS, no external
/// resources of any kind (no scripts, fonts, stylesheets or images: the file must open offline and stay
/// identical wherever it is copied). The markup is XHTML-compatible HTML5 — every element closed, every
/// attribute quoted, only XML's five entities — so an XML parser can check it.
enum HTMLPage {
    static func wrap(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(Markup.escape(title))</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    static let css = """
        body { margin: 0; background: #f4f5f7; color: #1d2330; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
        main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; background: #ffffff; min-height: 100vh; box-sizing: border-box; }
        h1 { font-size: 24px; margin: 4px 0 8px; overflow-wrap: anywhere; }
        h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #e2e4ea; padding-bottom: 4px; }
        .verdict { font-size: 17px; padding: 10px 14px; border-radius: 6px; border-left: 6px solid #888888; background: #f1f2f5; }
        .status-ok { border-left-color: #15803d; background: #ecfdf3; }
        .status-insufficient { border-left-color: #b45309; background: #fff7ea; }
        .status-ambiguous { border-left-color: #b91c1c; background: #fdf0f0; }
        .status-failed { border-left-color: #7f1d1d; background: #fde8e8; }
        table { border-collapse: collapse; margin: 6px 0 10px; }
        .scroll { overflow-x: auto; }
        td.error { max-width: 280px; overflow-wrap: anywhere; }
        th, td { text-align: left; padding: 4px 12px 4px 0; vertical-align: top; border-bottom: 1px solid #eceef2; }
        th { color: #4b5565; font-weight: 600; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; overflow-wrap: anywhere; }
        figure { margin: 8px 0; }
        figure svg { width: 100%; max-width: 980px; height: auto; }
        figcaption { color: #4b5565; font-size: 13px; }
        .warnings li { margin: 3px 0; }
        .muted { color: #6b7280; }
        .right { color: #15803d; font-weight: 600; }
        .wrong { color: #b91c1c; font-weight: 600; }
        .undecided { color: #92400e; font-weight: 600; }
        .grid { display: flex; flex-wrap: wrap; gap: 12px; }
        .cell { border: 1px solid #e2e4ea; border-radius: 6px; padding: 6px; width: 300px; }
        .cell h3 { font-size: 14px; margin: 2px 0 4px; overflow-wrap: anywhere; }
        a { color: #1d4ed8; }
        """
}
