/** The options of a <select>, from [value, label] pairs. */
export function SelectOptions({ options }: { options: readonly (readonly [string, string])[] }) {
  return (
    <>
      {options.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </>
  );
}
