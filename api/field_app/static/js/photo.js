// Receipt photos are redrawn on a canvas in the phone and saved as JPEG: at most 1600 px,
// and without the camera's metadata (a canvas keeps only pixels, so no place, no time).

// Each 413 from the tracker moves a photo one step down.
export const STEPS = [
  { side: 1600, quality: 0.85 },
  { side: 1280, quality: 0.75 },
  { side: 1024, quality: 0.65 },
  { side: 800, quality: 0.55 },
  { side: 600, quality: 0.5 },
];

export async function receiptPhoto(file, step = 0) {
  const { side, quality } = STEPS[step];
  // Turned upright as the camera meant it, before its metadata is dropped.
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
  canvas.width = 0; // gives the pixels back at once on a phone with little memory
  canvas.height = 0;
  return blob;
}

// The photo one step smaller, or null when it cannot be made smaller.
export function shrink(blob, step) {
  return step < STEPS.length ? receiptPhoto(blob, step) : Promise.resolve(null);
}
