/** Document types by name, in both languages: the station's screens and the server's spreadsheets use them. */
import type { DocType } from "./documents";

export const DOC_TYPE_NAMES: Record<"zh" | "en", Record<DocType, string>> = {
  zh: {
    ID: "居民身份证",
    HKMO: "港澳居民来往内地通行证",
    TW: "台湾居民来往大陆通行证",
    HMTR: "港澳台居民居住证",
    FPR: "外国人永久居留身份证",
    PP: "护照",
    OT: "其他证件",
  },
  en: {
    ID: "Resident ID card",
    HKMO: "HK/Macau travel permit",
    TW: "Taiwan travel permit",
    HMTR: "HK/Macau/Taiwan residence permit",
    FPR: "Foreign permanent residence card",
    PP: "Passport",
    OT: "Other document",
  },
};
