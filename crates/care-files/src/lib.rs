//! # care-files
//!
//! A file a nurse attaches, made ready to share with the team: what it is
//! (JPEG, PNG or PDF, by its first bytes, not its name), its metadata
//! stripped (a phone photo's EXIF carries where it was taken: the patient's
//! home), turned upright, and a thumbnail every laptop fetches at once.
//!
//! **What it is not:** no I/O, no keys. Sealing is sync-proto's, storing
//! care-store's. Pure functions of the bytes, tested on their own.

use std::io::Cursor;

use image::codecs::jpeg::{JpegDecoder, JpegEncoder};
use image::{DynamicImage, ImageDecoder, Limits};
use img_parts::jpeg::{markers, Jpeg};
use img_parts::png::Png;
use img_parts::Bytes;

/// The largest file taken (the relay's limit for a sealed file).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The thumbnail's longer side, in pixels: sharp on a record's row and in a
/// side-by-side of two dates.
pub const THUMB_SIDE: u32 = 320;

/// Largest image side decoded: beyond any camera, short of a pixel bomb.
const MAX_SIDE: u32 = 16_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    #[error("ファイルが大きすぎます（{mb:.1} MB）。添付できるのは 10 MB までです / the file is {bytes} bytes; files up to 10 MB can be attached", mb = *.bytes as f64 / 1_048_576.0)]
    TooLarge { bytes: usize },
    #[error("添付できるのは写真（JPEG・PNG）と PDF です / only photos (JPEG, PNG) and PDF files can be attached")]
    UnknownType,
    #[error("画像を読み取れません（壊れている可能性があります） / the image could not be read: {0}")]
    Unreadable(String),
}

/// A file ready to seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    pub mime: &'static str,
    /// The file to keep: metadata stripped, upright.
    pub file: Vec<u8>,
    /// A JPEG at most [`THUMB_SIDE`] on its longer side (images only).
    pub thumb: Option<Vec<u8>>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

fn unreadable(e: impl std::fmt::Display) -> FileError {
    FileError::Unreadable(e.to_string())
}

/// Takes a file as attached: checks its size and kind, strips a photo's
/// metadata and makes its thumbnail.
pub fn prepare(bytes: &[u8]) -> Result<Prepared, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge { bytes: bytes.len() });
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        prepare_jpeg(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        prepare_png(bytes)
    } else if bytes.starts_with(b"%PDF-") {
        Ok(Prepared {
            mime: "application/pdf",
            file: bytes.to_vec(),
            thumb: None,
            width: None,
            height: None,
        })
    } else {
        Err(FileError::UnknownType)
    }
}

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_SIDE);
    l.max_image_height = Some(MAX_SIDE);
    l
}

fn prepare_jpeg(bytes: &[u8]) -> Result<Prepared, FileError> {
    let mut decoder = JpegDecoder::new(Cursor::new(bytes)).map_err(unreadable)?;
    decoder.set_limits(limits()).map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    let file = if orientation == image::metadata::Orientation::NoTransforms {
        // Upright already: the pixels stay as the camera wrote them.
        let mut jpeg = Jpeg::from_bytes(Bytes::copy_from_slice(bytes)).map_err(unreadable)?;
        // APP1 is EXIF (GPS) and XMP, APP13 IPTC, COM free text; APP0
        // (JFIF), APP2 (colour profile) and APP14 (colour transform) are
        // needed to show the colours right.
        for marker in [markers::APP1, markers::APP13, markers::COM] {
            jpeg.remove_segments_by_marker(marker);
        }
        jpeg.encoder().bytes().to_vec()
    } else {
        // Turned by its EXIF only: turn the pixels, as the EXIF goes.
        encode_jpeg(&image, 92)?
    };
    Ok(Prepared {
        mime: "image/jpeg",
        thumb: Some(thumbnail(&image)?),
        width: Some(image.width()),
        height: Some(image.height()),
        file,
    })
}

fn prepare_png(bytes: &[u8]) -> Result<Prepared, FileError> {
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), image::ImageFormat::Png);
    reader.limits(limits());
    let image = reader.decode().map_err(unreadable)?;
    let mut png = Png::from_bytes(Bytes::copy_from_slice(bytes)).map_err(unreadable)?;
    // EXIF, and the text chunks XMP travels in.
    for kind in [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt"] {
        png.remove_chunks_by_type(kind);
    }
    Ok(Prepared {
        mime: "image/png",
        thumb: Some(thumbnail(&image)?),
        width: Some(image.width()),
        height: Some(image.height()),
        file: png.encoder().bytes().to_vec(),
    })
}

fn thumbnail(image: &DynamicImage) -> Result<Vec<u8>, FileError> {
    encode_jpeg(&image.thumbnail(THUMB_SIDE, THUMB_SIDE), 80)
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>, FileError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&image.to_rgb8())
        .map_err(unreadable)?;
    Ok(out)
}

/// A test photo: `width`×`height` pixels, with EXIF that holds a GPS
/// position, `marker` as its description, and the orientation given (1:
/// upright, 6: to be turned a quarter clockwise). For tests here and in the
/// workspace's end-to-end tests.
#[doc(hidden)]
pub fn sample_photo(width: u32, height: u32, orientation: u16, marker: &str) -> Vec<u8> {
    use img_parts::ImageEXIF;
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width.max(1)) as u8, (y * 255 / height.max(1)) as u8, 120])
    });
    let mut plain = Vec::new();
    JpegEncoder::new_with_quality(&mut plain, 85)
        .encode_image(&pixels)
        .expect("encode a test image");
    // EXIF, little-endian TIFF: IFD0 = ImageDescription, Orientation,
    // GPS IFD pointer; the GPS IFD = latitude N 35° 41′ 22″.
    let desc = format!("{marker}\0");
    let mut t: Vec<u8> = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    let ifd0_len = 2 + 3 * 12 + 4;
    let gps_at = 8 + ifd0_len;
    let gps_len = 2 + 2 * 12 + 4;
    let desc_at = gps_at + gps_len;
    let lat_at = desc_at + desc.len() as u32;
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        t.extend(tag.to_le_bytes());
        t.extend(kind.to_le_bytes());
        t.extend(count.to_le_bytes());
        t.extend(value.to_le_bytes());
    };
    t.extend(3u16.to_le_bytes());
    entry(&mut t, 0x010E, 2, desc.len() as u32, desc_at);
    entry(&mut t, 0x0112, 3, 1, orientation as u32);
    entry(&mut t, 0x8825, 4, 1, gps_at);
    t.extend(0u32.to_le_bytes());
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
    entry(&mut t, 0x0002, 5, 3, lat_at);
    t.extend(0u32.to_le_bytes());
    t.extend(desc.as_bytes());
    for (num, den) in [(35u32, 1u32), (41, 1), (22, 1)] {
        t.extend(num.to_le_bytes());
        t.extend(den.to_le_bytes());
    }
    let mut jpeg = Jpeg::from_bytes(Bytes::from(plain)).expect("our own JPEG");
    jpeg.set_exif(Some(Bytes::from(t)));
    jpeg.encoder().bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_photo_loses_its_location_and_keeps_its_pixels() {
        let photo = sample_photo(640, 480, 1, "MARKER-GPS-HOME");
        assert!(has(&photo, b"MARKER-GPS-HOME") && has(&photo, b"Exif\0\0"));
        let p = prepare(&photo).unwrap();
        assert_eq!(p.mime, "image/jpeg");
        assert!(!has(&p.file, b"MARKER-GPS-HOME"), "the description is gone");
        assert!(!has(&p.file, b"Exif\0\0"), "EXIF (and its GPS IFD) is gone");
        // The compressed pixels are the camera's, byte for byte.
        let scan = |b: &[u8]| b[b.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap()..].to_vec();
        assert_eq!(scan(&p.file), scan(&photo));
        assert_eq!((p.width, p.height), (Some(640), Some(480)));
        let thumb = image::load_from_memory(p.thumb.as_ref().unwrap()).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (THUMB_SIDE, 240));
        assert!(!has(p.thumb.as_ref().unwrap(), b"MARKER-GPS-HOME"));
    }

    #[test]
    fn a_photo_turned_by_its_exif_is_stored_upright() {
        let photo = sample_photo(640, 480, 6, "MARKER-TURNED");
        let p = prepare(&photo).unwrap();
        assert_eq!((p.width, p.height), (Some(480), Some(640)));
        let stored = image::load_from_memory(&p.file).unwrap();
        assert_eq!((stored.width(), stored.height()), (480, 640));
        assert!(!has(&p.file, b"MARKER-TURNED") && !has(&p.file, b"Exif\0\0"));
    }

    #[test]
    fn pdfs_pass_and_other_files_are_refused_clearly() {
        let pdf = b"%PDF-1.7\n...".to_vec();
        let p = prepare(&pdf).unwrap();
        assert_eq!((p.mime, p.thumb.is_none(), p.file), ("application/pdf", true, pdf));
        assert_eq!(prepare(b"MZ\x90\0 an exe"), Err(FileError::UnknownType));
        let big = vec![0xFF; MAX_FILE_BYTES + 1];
        let e = prepare(&big).unwrap_err();
        assert!(e.to_string().contains("10 MB"), "{e}");
        assert!(matches!(
            prepare(b"\xFF\xD8\xFF\xE0 broken"),
            Err(FileError::Unreadable(_))
        ));
    }

    #[test]
    fn png_text_chunks_are_stripped() {
        let img = image::RgbImage::from_pixel(40, 30, image::Rgb([1, 2, 3]));
        let mut png = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let mut parts = Png::from_bytes(Bytes::from(png)).unwrap();
        let text = img_parts::png::PngChunk::new(*b"tEXt", Bytes::from_static(b"GPS\0MARKER-PNG"));
        let at = parts.chunks().len() - 1;
        parts.chunks_mut().insert(at, text);
        let with_text = parts.encoder().bytes().to_vec();
        assert!(has(&with_text, b"MARKER-PNG"));
        let p = prepare(&with_text).unwrap();
        assert_eq!(p.mime, "image/png");
        assert!(!has(&p.file, b"MARKER-PNG"));
        assert_eq!((p.width, p.height), (Some(40), Some(30)));
    }
}
