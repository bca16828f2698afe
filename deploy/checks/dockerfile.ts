import { readFileSync } from 'node:fs';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

export interface Step {
  readonly keyword: string;
  /** The instruction's whole text after the keyword, flags included, continuation lines joined. */
  readonly text: string;
}

export interface Stage {
  readonly name: string | undefined;
  /** The base image with ARG defaults substituted. */
  readonly from: string;
  readonly steps: readonly Step[];
}

const stepText = (instruction: Instruction) => instruction.getTextContent().replace(/\\\r?\n/g, ' ').replace(/^\s*\S+\s*/, '').replace(/\s+/g, ' ').trim();

/** A Dockerfile as its stages (parsed with dockerfile-ast, the parser of the VS Code Docker language server). */
export function readStages(path: string): Stage[] {
  const dockerfile = DockerfileParser.parse(readFileSync(path, 'utf8'));
  const args = new Map<string, string>();
  const stages: Array<{ name: string | undefined; from: string; steps: Step[] }> = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const text = stepText(instruction);
    if (keyword === 'FROM') {
      const [image = '', , name] = text.split(' ');
      stages.push({ name, from: image.replace(/\$\{(\w+)\}/g, (_all, arg: string) => args.get(arg) ?? ''), steps: [] });
    } else if (stages.length === 0 && keyword === 'ARG') {
      const [name = '', value = ''] = text.split('=');
      args.set(name, value);
    } else {
      stages.at(-1)?.steps.push({ keyword, text });
    }
  }
  return stages;
}
