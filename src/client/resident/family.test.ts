import { describe, expect, it } from "vitest";
import { parseResidentCode } from "../../domain/residentCode";
import {
  addMember,
  FAMILY_KEY,
  type FamilyMember,
  type KeyValueStore,
  loadFamily,
  removeMember,
  residentCodeOf,
  saveFamily,
  updateMember,
} from "./family";

/** localStorage's two methods over a Map; `full` makes writes fail as a full or blocked storage does. */
function memoryStore(full = false): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => {
      if (full) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      map.set(key, value);
    },
  };
}

let ids = 0;
const newId = () => `id-${++ids}`;

function added(members: FamilyMember[], input: Parameters<typeof addMember>[1]): FamilyMember[] {
  const outcome = addMember(members, input, newId);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
  return outcome.value.members;
}

describe("adding people", () => {
  it("normalises what was typed as the station does and makes the SP1 code", () => {
    const outcome = addMember(
      [],
      {
        name: " 王秀英 ",
        docType: "ID",
        docNumber: "１１０１０５ １９７８-０５１２ ００２１",
        phone: "+86 138-1234-5678",
        community: " 幸福里社区 ",
      },
      newId,
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const { member } = outcome.value;
    expect(member).toMatchObject({
      name: "王秀英",
      docType: "ID",
      docNumber: "110105197805120021",
      phone: "13812345678",
      community: "幸福里社区",
    });
    const code = residentCodeOf(member);
    expect(code).toEqual({ ok: true, value: "SP1|王秀英|ID|110105197805120021|13812345678|幸福里社区" });
    // The station reads it back as the same person.
    expect(parseResidentCode(code.ok ? code.value : "")).toEqual({
      ok: true,
      value: {
        kind: "full",
        resident: {
          name: "王秀英",
          docType: "ID",
          docNumber: "110105197805120021",
          phone: "13812345678",
          community: "幸福里社区",
        },
      },
    });
  });

  it("leaves empty optional fields off the code", () => {
    const members = added([], {
      name: "王乐乐",
      docType: "ID",
      docNumber: "110105201503070013",
      phone: " ",
      community: "",
    });
    const member = members[0] as FamilyMember;
    expect(member.phone).toBeUndefined();
    expect(member.community).toBeUndefined();
    expect(residentCodeOf(member)).toEqual({ ok: true, value: "SP1|王乐乐|ID|110105201503070013" });
  });

  it("refuses what the station refuses, with the station's error", () => {
    const refused = (input: Parameters<typeof addMember>[1]) => {
      const outcome = addMember([], input, newId);
      return outcome.ok ? null : outcome.error;
    };
    expect(refused({ name: "张三", docType: "ID", docNumber: "110105194912310021" })).toEqual({
      code: "invalid_resident",
      error: { code: "bad_document", docType: "ID", reason: "bad_check_digit" },
    });
    expect(refused({ name: "张三", docType: "ID", docNumber: "11010519491231002X", phone: "12345" })).toMatchObject({
      code: "invalid_resident",
      error: { code: "bad_phone" },
    });
    expect(refused({ name: "张三1", docType: "ID", docNumber: "11010519491231002X" })).toEqual({
      code: "invalid_resident",
      error: { code: "bad_name" },
    });
    expect(refused({ name: "张|三", docType: "ID", docNumber: "11010519491231002X" })).toMatchObject({
      code: "invalid_resident",
      error: { code: "bad_field", field: "name" },
    });
    expect(refused({ name: "张三", docType: "PP", docNumber: "E1" })).toMatchObject({
      code: "invalid_resident",
      error: { code: "bad_document", docType: "PP" },
    });
  });

  it("refuses the same document twice, naming who has it", () => {
    const members = added([], { name: "张三", docType: "ID", docNumber: "11010519491231002X" });
    const again = addMember(members, { name: "张三丰", docType: "ID", docNumber: "11010519491231002x" }, newId);
    expect(again).toEqual({ ok: false, error: { code: "duplicate", name: "张三" } });
    // The same number as another document type is another document.
    expect(addMember(members, { name: "张三", docType: "OT", docNumber: "11010519491231002X" }, newId).ok).toBe(true);
  });
});

describe("editing and deleting", () => {
  it("updates a person in place, keeping the id and the order; their own number is no duplicate", () => {
    let members = added([], { name: "张三", docType: "ID", docNumber: "11010519491231002X" });
    members = added(members, { name: "李四", docType: "PP", docNumber: "E12345678" });
    const first = members[0] as FamilyMember;
    const outcome = updateMember(members, first.id, { ...first, phone: "13900139000" });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.value.members.map((m) => m.name)).toEqual(["张三", "李四"]);
    expect(outcome.value.members[0]).toEqual({ ...first, phone: "13900139000" });
    // Taking the other person's number is refused.
    expect(updateMember(members, first.id, { ...first, docType: "PP", docNumber: "E12345678" })).toEqual({
      ok: false,
      error: { code: "duplicate", name: "李四" },
    });
    expect(removeMember(members, first.id).map((m) => m.name)).toEqual(["李四"]);
  });
});

describe("storage on the device", () => {
  it("saves and loads the list", () => {
    const store = memoryStore();
    let members = added([], { name: "张三", docType: "ID", docNumber: "11010519491231002X", phone: "13800138000" });
    members = added(members, { name: "阿依古丽·买买提", docType: "ID", docNumber: "440524188001010014" });
    expect(saveFamily(store, members)).toBe(true);
    expect(loadFamily(store)).toEqual(members);
  });

  it("starts empty without a list, with a damaged one, or with one of another format", () => {
    const store = memoryStore();
    expect(loadFamily(store)).toEqual([]);
    store.map.set(FAMILY_KEY, "{not json");
    expect(loadFamily(store)).toEqual([]);
    store.map.set(FAMILY_KEY, JSON.stringify({ format: 2, members: [] }));
    expect(loadFamily(store)).toEqual([]);
    expect(
      loadFamily({
        getItem: () => {
          throw new Error("blocked");
        },
        setItem: () => undefined,
      }),
    ).toEqual([]);
  });

  it("keeps the readable entries of a partly damaged list", () => {
    const store = memoryStore();
    const good = { id: "a", name: "张三", docType: "ID", docNumber: "11010519491231002X" };
    store.map.set(
      FAMILY_KEY,
      JSON.stringify({
        format: 1,
        members: [good, null, { ...good, id: "b", docType: "XX" }, { ...good, id: 3 }, { ...good, id: "c", phone: 5 }],
      }),
    );
    expect(loadFamily(store)).toEqual([good]);
  });

  it("says so when the browser refuses to save", () => {
    const members = added([], { name: "张三", docType: "ID", docNumber: "11010519491231002X" });
    expect(saveFamily(memoryStore(true), members)).toBe(false);
  });
});
