//! MIME types from file names, as a pure table.
//!
//! Owns: the extension table and the question "is this kind of file text?". Must not read
//! files: content sniffing (NUL bytes, UTF-8) is the reader's job.

/// The MIME type for a file name's extension, if it is a known one.
pub(crate) fn from_name(name: &str) -> Option<&'static str> {
    let (stem, extension) = name.rsplit_once('.')?;
    if stem.is_empty() {
        // A dotfile such as `.bashrc` has no extension.
        return None;
    }
    let extension = extension.to_ascii_lowercase();
    let mime = match extension.as_str() {
        // Text and documents.
        "txt" | "text" | "log" | "ini" | "cfg" | "conf" => "text/plain",
        "md" | "markdown" => "text/markdown",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "js" | "mjs" | "cjs" => "text/javascript",
        "ts" | "mts" | "cts" => "text/x-typescript",
        "tsx" => "text/tsx",
        "jsx" => "text/jsx",
        "json" | "jsonl" | "ndjson" | "map" => "application/json",
        "xml" | "xsd" | "xsl" => "application/xml",
        "yaml" | "yml" => "application/yaml",
        "toml" => "application/toml",
        "rs" => "text/x-rust",
        "py" | "pyi" => "text/x-python",
        "rb" => "text/x-ruby",
        "go" => "text/x-go",
        "java" => "text/x-java",
        "kt" | "kts" => "text/x-kotlin",
        "swift" => "text/x-swift",
        "c" | "h" => "text/x-c",
        "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" => "text/x-c++",
        "cs" => "text/x-csharp",
        "php" => "text/x-php",
        "sh" | "bash" | "zsh" => "text/x-shellscript",
        "ps1" => "text/x-powershell",
        "sql" => "application/sql",
        "svg" => "image/svg+xml",
        "tex" => "text/x-tex",
        "rst" => "text/x-rst",
        "vue" | "svelte" => "text/plain",
        "lock" => "text/plain",
        "rtf" => "application/rtf",
        "ics" => "text/calendar",
        "vtt" => "text/vtt",
        // Images.
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "ico" => "image/x-icon",
        "tif" | "tiff" => "image/tiff",
        "avif" => "image/avif",
        "heic" => "image/heic",
        // Audio and video.
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" | "oga" => "audio/ogg",
        "flac" => "audio/flac",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "opus" => "audio/opus",
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        "mkv" => "video/x-matroska",
        // Archives and binaries.
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "tar" => "application/x-tar",
        "7z" => "application/x-7z-compressed",
        "xz" => "application/x-xz",
        "zst" => "application/zstd",
        "wasm" => "application/wasm",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "epub" => "application/epub+zip",
        "sqlite" | "sqlite3" | "db" => "application/vnd.sqlite3",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "exe" | "dll" | "so" | "dylib" | "bin" | "o" | "a" => "application/octet-stream",
        _ => return None,
    };
    Some(mime)
}

/// Whether files of this MIME type are text (so a text read is expected to work).
pub(crate) fn is_text(mime: &str) -> bool {
    mime.starts_with("text/")
        || matches!(
            mime,
            "application/json"
                | "application/xml"
                | "application/yaml"
                | "application/toml"
                | "application/sql"
                | "application/rtf"
                | "image/svg+xml"
        )
}

/// The MIME type for content already known to be text or not.
pub(crate) fn for_content(name: &str, is_text: bool) -> &'static str {
    match from_name(name) {
        Some(mime) if is_text || !self::is_text(mime) => mime,
        _ if is_text => "text/plain",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_map_case_insensitively() {
        assert_eq!(from_name("photo.PNG"), Some("image/png"));
        assert_eq!(from_name("archive.tar.gz"), Some("application/gzip"));
        assert_eq!(from_name("main.rs"), Some("text/x-rust"));
        assert_eq!(from_name("README"), None);
        assert_eq!(from_name("noext."), None);
    }

    #[test]
    fn content_decides_when_the_name_is_unknown_or_wrong() {
        assert_eq!(for_content("README", true), "text/plain");
        assert_eq!(for_content("blob", false), "application/octet-stream");
        assert_eq!(for_content("notes.md", false), "application/octet-stream");
        assert_eq!(for_content("a.png", false), "image/png");
        assert_eq!(for_content(".bashrc", true), "text/plain");
    }
}
